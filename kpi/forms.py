"""The manager's assessment of a KPI's year, entered on the KPI's own page."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kpi import services
from kpi.models import Grade, Kpi, KpiActual


class AssessmentForm(forms.Form):
    """進展度 and 備考 for one fiscal year (and the value, for a year the portal does not
    compute). The year is chosen beforehand (`?fy=`), in 令和, and posted along."""

    fiscal_year = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.DecimalField(
        label=_("実績値"),
        required=False,
        max_digits=12,
        decimal_places=1,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    grade = forms.ChoiceField(
        label=_("進展度"), required=False, choices=[("", _("（なし）")), *Grade.choices]
    )
    note = forms.CharField(
        label=_("備考"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, kpi: Kpi, fiscal_year: int, years: list[int], **kwargs: Any
    ) -> None:
        entered = next((a for a in kpi.actuals.all() if a.fiscal_year == fiscal_year), None)
        kwargs.setdefault("initial", _initial(fiscal_year, entered))
        super().__init__(*args, **kwargs)
        self.kpi, self.years, self.kpi_year = kpi, years, fiscal_year
        self.computed = kpi.is_computed_in(fiscal_year)
        if self.computed:
            del self.fields["value"]

    def clean_fiscal_year(self) -> int:
        fy: int = self.cleaned_data["fiscal_year"]
        if fy not in self.years:
            raise forms.ValidationError(_("この年度は入力できません。"), code="fiscal_year")
        return fy

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        fy = cleaned.get("fiscal_year")
        if fy is not None and "value" not in self.errors:
            problem = services.value_problem(self.kpi, fy, cleaned.get("value"))
            if problem:
                self.add_error("value" if "value" in self.fields else None, problem)
        return cleaned


def _initial(fiscal_year: int, entered: KpiActual | None) -> dict[str, Any]:
    if entered is None:
        return {"fiscal_year": fiscal_year}
    return {
        "fiscal_year": fiscal_year,
        "value": entered.value,
        "grade": entered.grade,
        "note": entered.note,
    }

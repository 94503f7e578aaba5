from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from mie_dx.fiscal import fiscal_year_short
from mie_dx.models import Division
from procedures.models import Procedure

PLAN_YEARS = range(2020, 2027)  # R2 … R8


class ProcedureFilterForm(forms.Form):
    division = forms.ModelChoiceField(
        label=_("所属"), queryset=Division.objects.none(), required=False, empty_label=_("すべて")
    )
    status = forms.ChoiceField(label=_("状態"), required=False)
    plan = forms.ChoiceField(label=_("予定年度"), required=False)
    priority = forms.ChoiceField(
        label=_("重点手続"),
        required=False,
        choices=[("", _("すべて")), ("1", _("重点手続のみ")), ("0", _("重点手続以外"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The form's copies of the fields above.
        division = cast("forms.ModelChoiceField[Division]", self.fields["division"])
        status = cast(forms.ChoiceField, self.fields["status"])
        plan = cast(forms.ChoiceField, self.fields["plan"])
        division.queryset = Division.objects.order_by("code")
        status.choices = [("", _("すべて")), *Procedure.Status.choices]
        plan.choices = [
            ("", _("すべて")),
            *[(str(fy), fiscal_year_short(fy)) for fy in PLAN_YEARS],
            (Procedure.Plan.R9_OR_LATER.value, Procedure.Plan.R9_OR_LATER.label),
            (Procedure.Plan.NEEDS_ADJUSTMENT.value, Procedure.Plan.NEEDS_ADJUSTMENT.label),
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        priority = {"1": True, "0": False}.get(data["priority"])
        return {
            "division_id": data["division"].pk if data["division"] else None,
            "status": data["status"],
            "plan": data["plan"],
            "priority": priority,
        }

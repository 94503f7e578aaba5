"""The training office's page forms."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from mie_dx.models import Department, Division


class OverdueFilterForm(forms.Form):
    """The overdue list of one department or division (by code) of the year's organisation;
    an unknown code is ignored (the whole list)."""

    department = forms.ChoiceField(label=_("部局"), required=False)
    division = forms.ChoiceField(label=_("所属"), required=False)

    def __init__(self, *args: Any, fiscal_year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.in_fiscal_year(fiscal_year).order_by("code")
        divisions = (
            Division.objects.in_fiscal_year(fiscal_year)
            .select_related("department")
            .order_by("department__code", "code")
        )
        self.codes = {
            "department": {d.code for d in departments},
            "division": {d.code for d in divisions},
        }
        everyone = [("", _("すべて"))]
        self.choice_field("department").choices = everyone + [(d.code, d.name) for d in departments]
        self.choice_field("division").choices = everyone + [
            (d.code, f"{d.department.name} {d.name}") for d in divisions
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])  # the copies of the fields above

    def filters(self) -> dict[str, str]:
        if not self.is_bound:
            return {}
        chosen = {}
        for name in ("department", "division"):
            field = self.choice_field(name)
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if value and value in self.codes[name]:
                chosen[name] = value
        return chosen

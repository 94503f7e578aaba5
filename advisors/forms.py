from django import forms
from django.utils.translation import gettext_lazy as _

from advisors.selectors import expertise_areas


class DirectoryFilterForm(forms.Form):
    """The directory's GET filter: `?expertise=<slug>`; an empty value means every area."""

    expertise = forms.ModelChoiceField(
        label=_("専門分野"),
        queryset=expertise_areas(),
        to_field_name="slug",
        required=False,
        empty_label=_("すべての分野"),
        error_messages={"invalid_choice": _("指定された専門分野は見つかりません。")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and "expertise" in self.errors:
            # Tie the error text to the select for screen readers and show Bootstrap's red edge.
            self.fields["expertise"].widget.attrs.update(
                {"class": "form-select is-invalid", "aria-describedby": "expertise-error"}
            )

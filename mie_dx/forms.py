"""Pieces every public form shares: kana and phone cleaning, the honeypot."""

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy as _

from mie_dx.text import is_kana_reading, normalize_kana, normalize_phone


def clean_kana_field(field: str) -> Callable:
    """A `clean_<field>` method storing the reading as full-width katakana."""

    def clean(self) -> str:
        value = normalize_kana(self.cleaned_data.get(field, ""))
        if value and not is_kana_reading(value):
            raise forms.ValidationError(
                _("フリガナはカタカナまたはひらがなで入力してください。"), code="kana"
            )
        return value

    return clean


def clean_phone_field(field: str) -> Callable:
    """A `clean_<field>` method accepting Japanese phone formats (全角, ハイフン, +81)."""

    def clean(self) -> str:
        try:
            return normalize_phone(self.cleaned_data.get(field, ""))
        except ValueError:
            raise forms.ValidationError(
                _("電話番号は市外局番から、例えば 059-224-3086 のように入力してください。"),
                code="phone",
            ) from None

    return clean


class HoneypotMixin(forms.Form):
    """A field people never see or fill in; bots that fill every field are refused.

    The template hides it with the `visually-hidden` class and removes it from the tab order
    and the accessibility tree.
    """

    website = forms.CharField(
        required=False,
        label=_("このフィールドは入力しないでください"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            # A form-level error: the field itself is hidden from people.
            raise forms.ValidationError(
                _("送信内容を確認できませんでした。もう一度お試しください。"), code="honeypot"
            )
        return cleaned

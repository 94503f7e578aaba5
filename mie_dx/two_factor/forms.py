from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class DescribedForm(forms.Form):
    """Each input names its hint and, when there are any, its errors (aria-describedby);
    Django marks it aria-invalid."""

    def add_error(self, *args: Any, **kwargs: Any) -> None:
        """Django's add_error (same arguments), then the inputs name their errors."""
        super().add_error(*args, **kwargs)
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                described = [f"{bound.auto_id}_helptext"] if bound.help_text else []
                described.append(f"{bound.auto_id}_error")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(described)


class TokenForm(DescribedForm):
    """The six digits the authenticator app shows."""

    token = forms.CharField(
        label=_("確認コード（6桁）"),
        max_length=16,
        help_text=_(
            "認証アプリ（Google Authenticator、Microsoft Authenticator など）に表示されている数字です。"
        ),
        error_messages={"required": _("認証アプリに表示されている6桁のコードを入力してください。")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autocapitalize": "off",
                "spellcheck": "false",
                "size": 8,
            }
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("確認コードは6桁の数字です。"), code="format")
        return token


class RecoveryCodeForm(DescribedForm):
    """One of the ten recovery codes shown at enrolment."""

    recovery_code = forms.CharField(
        label=_("リカバリーコード"),
        max_length=32,
        help_text=_(
            "2段階認証の設定時に保存した、xxxxx-xxxxx の形のコードです。一つのコードは一度しか使えません。"
        ),
        error_messages={"required": _("リカバリーコードを入力してください。")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "size": 14,
            }
        ),
    )

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations import pending_uploads
from consultations.models import Category
from consultations.services import ConsultationDetails
from consultations.validators import validate_attachment
from mie_dx.forms import RequesterFieldsForm
from mie_dx.municipalities import Municipality


class ConsultationForm(RequesterFieldsForm):
    """The public consultation form."""

    field_order = [*ConsultationDetails.field_names(), "attachment", "privacy_consent"]
    # Every field's HTML depends only on the language and its initial value (field_html).
    static_fields = frozenset(
        [*ConsultationDetails.field_names(), "attachment", "privacy_consent", "website"]
    )

    municipality = forms.ChoiceField(
        label=_("所在市町"),
        choices=[("", _("選択してください")), *Municipality.choices],
    )
    category = forms.ChoiceField(
        label=_("相談内容の種類"), choices=Category.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("件名"), max_length=100)
    description = forms.CharField(
        label=_("相談内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("現在の状況、困っていること、相談したいことを4,000字以内でお書きください。"),
    )
    attachment = forms.FileField(
        label=_("添付ファイル"),
        required=False,
        validators=[validate_attachment],
        help_text=_("PDF、画像、Office文書（10MBまで）。"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.jpg,.jpeg,.png,.gif,.webp,.heic,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
            }
        ),
    )

    # The file chosen before the confirmation page (consultations.pending_uploads).
    attachment_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        token = cleaned.get("attachment_token", "")
        if cleaned.get("attachment"):
            # A new file replaces the one kept before the confirmation page.
            cleaned["attachment_token"] = ""
        elif token and pending_uploads.name_of(token) is None:
            # Expired or tampered with: the person chooses the file again.
            cleaned["attachment_token"] = ""
            self.add_error(
                "attachment",
                _("添付ファイルの保存期限が過ぎました。もう一度ファイルを選んでください。"),
            )
        return cleaned

    @property
    def pending_attachment_name(self) -> str:
        """The name of the file kept from before the confirmation page ('' if none)."""
        token = self.cleaned_data.get("attachment_token") if hasattr(self, "cleaned_data") else ""
        if not token and self.is_bound:
            token = self.data.get(self.add_prefix("attachment_token"), "")
        return (pending_uploads.name_of(token) or "") if token else ""

    def requester_details(self) -> ConsultationDetails:
        return ConsultationDetails.from_data(self.cleaned_data)

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"]
        return title.strip()

    def clean_description(self) -> str:
        description: str = self.cleaned_data["description"]
        return description.strip()


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("取り下げの理由（任意）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("この相談を取り下げます"),
        error_messages={"required": _("取り下げる場合はチェックを入れてください。")},
    )


class AssignmentResponseForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("ご回答"),
        choices=[("accept", _("引き受けます")), ("decline", _("辞退します"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("辞退の理由（任意）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdviceForm(forms.Form):
    held_on = forms.DateField(label=_("実施日"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(
        label=_("助言・提案の内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )

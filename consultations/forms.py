from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import Category, Rating, RequesterType
from consultations.services import RequesterDetails
from consultations.validators import validate_attachment
from mie_dx.forms import HoneypotMixin, clean_kana_field, clean_phone_field
from mie_dx.municipalities import Municipality

ORGANIZATION_REQUIRED = {
    RequesterType.GROUP,
    RequesterType.BUSINESS,
    RequesterType.MUNICIPALITY,
    RequesterType.PREFECTURE,
}


class RequesterFieldsForm(HoneypotMixin, forms.Form):
    """Who is asking: the personal fields the consultation and seminar forms share.

    Field names are public contracts (spec.md). Subclasses adjust the wording through the
    class attributes below.
    """

    requester_type_label = _("相談者の区分")
    organization_help = _("県民グループ、事業者、市町・県からのご相談は必須です。")
    organization_required = _(
        "県民グループ、事業者、市町・県からのご相談は団体・事業者・所属名を入力してください。"
    )
    email_help = _("受付番号と状況確認用のリンクをお送りします。")

    requester_type = forms.ChoiceField(choices=RequesterType.choices, widget=forms.RadioSelect)
    organization = forms.CharField(
        label=_("団体・事業者・所属名"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    name = forms.CharField(
        label=_("氏名"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    name_kana = forms.CharField(
        label=_("フリガナ"),
        max_length=100,
        help_text=_("カタカナまたはひらがなで入力してください。"),
    )
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("電話番号"),
        max_length=20,
        required=False,
        help_text=_("任意。例: 059-224-3086"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    privacy_consent = forms.BooleanField(
        label=_("個人情報の取扱いに同意します"),
        error_messages={"required": _("個人情報の取扱いへの同意が必要です。")},
    )

    clean_name_kana = clean_kana_field("name_kana")
    clean_phone = clean_phone_field("phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester_type"].label = self.requester_type_label
        self.fields["organization"].help_text = self.organization_help
        self.fields["email"].help_text = self.email_help

    def clean(self):
        cleaned = super().clean()
        # Only when the field itself is valid: an over-long name already has its message.
        if (
            cleaned.get("requester_type") in ORGANIZATION_REQUIRED
            and "organization" in cleaned
            and not cleaned["organization"].strip()
        ):
            self.add_error("organization", self.organization_required)
        return cleaned


class ConsultationForm(RequesterFieldsForm):
    """The public consultation form."""

    field_order = [
        "requester_type",
        "organization",
        "name",
        "name_kana",
        "email",
        "phone",
        "municipality",
        "category",
        "title",
        "description",
        "attachment",
        "privacy_consent",
    ]

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
        help_text=_("任意。PDF、画像、Office文書（10MBまで）。"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.jpg,.jpeg,.png,.gif,.webp,.heic,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
            }
        ),
    )

    def requester_details(self) -> RequesterDetails:
        data = self.cleaned_data
        return RequesterDetails(
            requester_type=data["requester_type"],
            organization=data["organization"].strip(),
            name=data["name"].strip(),
            name_kana=data["name_kana"],
            email=data["email"],
            phone=data["phone"],
            municipality=data["municipality"],
            category=data["category"],
            title=data["title"].strip(),
            description=data["description"].strip(),
        )


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


class SurveyForm(forms.Form):
    """The 4-point satisfaction question; seminars ask it about the seminar."""

    question = _("今回の相談は役に立ちましたか")

    rating = forms.ChoiceField(
        label=question,
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("いずれかを選んでください。")},
    )
    comment = forms.CharField(
        label=_("ご意見・ご感想（任意）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].label = self.question


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

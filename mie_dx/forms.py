"""Pieces every public form shares: kana and phone cleaning, the honeypot, the requester
fields (mie_dx.people) and the satisfaction question (mie_dx.surveys)."""

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy as _

from mie_dx.people import ORGANIZATION_REQUIRED, PersonDetails, RequesterType
from mie_dx.surveys import Rating
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

    def clean_organization(self) -> str:
        return self.cleaned_data["organization"].strip()

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

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

    def person_details(self) -> PersonDetails:
        return PersonDetails.from_data(self.cleaned_data)


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

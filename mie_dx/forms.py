"""Pieces every public form shares: kana and phone cleaning, the honeypot, the requester
fields (mie_dx.people) and the satisfaction question (mie_dx.surveys)."""

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django import forms
from django.conf import settings
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from mie_dx.fiscal import fiscal_year_label
from mie_dx.people import ORGANIZATION_REQUIRED, PersonDetails, RequesterType
from mie_dx.surveys import Rating
from mie_dx.text import is_kana_reading, normalize_kana, normalize_phone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Marks the portal puts on a form field (Django's Field has no place for them):
# - a required field's own message, which PublicFormMixin leaves alone (keeps_required_message);
# - a note shown next to the label instead of 「必須」/「任意」 (mie_dx.templatetags.public_forms).
KEEPS_REQUIRED_MESSAGE = "keeps_required_message"
CONDITION_NOTE = "condition_note"

# A reading in Latin letters (romaji, or a foreign name as written): accepted on the English
# form, where people may not type katakana.
_LATIN_READING = re.compile(r"^[A-Za-z][A-Za-z .'\-]*$")


def japanese_form() -> bool:
    return (get_language() or "ja").startswith("ja")


def clean_kana_field(field: str) -> Callable[[forms.Form], str]:
    """A `clean_<field>` method storing the reading as full-width katakana (on the English
    form, Latin letters are kept as typed)."""

    def clean(self: forms.Form) -> str:
        value = normalize_kana(self.cleaned_data.get(field, ""))
        if not value or is_kana_reading(value):
            return value
        if not japanese_form():
            latin = " ".join(self.cleaned_data.get(field, "").split())
            if _LATIN_READING.match(latin):
                return latin
            raise forms.ValidationError(
                _("フリガナはカタカナ、ひらがな、またはローマ字で入力してください。"), code="kana"
            )
        raise forms.ValidationError(
            _("フリガナはカタカナまたはひらがなで入力してください。"), code="kana"
        )

    return clean


def clean_phone_field(field: str) -> Callable[[forms.Form], str]:
    """A `clean_<field>` method accepting Japanese phone formats (全角, ハイフン, +81)."""

    def clean(self: forms.Form) -> str:
        try:
            return normalize_phone(self.cleaned_data.get(field, ""))
        except ValueError:
            raise forms.ValidationError(
                _("電話番号は市外局番から、例えば 059-224-3086 のように入力してください。"),
                code="phone",
            ) from None

    return clean


CHOICE_WIDGETS = (forms.RadioSelect, forms.Select, forms.CheckboxSelectMultiple)


class PublicFormMixin(forms.Form):
    """What every public form does for the people filling it in (Digital Agency design system):
    a required field's message says what to do (「氏名を入力してください。」), and the widgets
    carry Bootstrap's classes, so that `includes/field.html` renders each field with one
    cached template and no per-field layout work."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxInput)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()

    def full_clean(self) -> None:
        # Here rather than in __init__: subclasses set labels after super().__init__().
        for field in self.fields.values():
            if getattr(field, KEEPS_REQUIRED_MESSAGE, False):
                continue
            if isinstance(field.widget, CHOICE_WIDGETS) or isinstance(field, forms.FileField):
                message = _("%(label)sを選んでください。") % {"label": field.label or ""}
            else:
                message = _("%(label)sを入力してください。") % {"label": field.label or ""}
            field.error_messages["required"] = message
        super().full_clean()


def keeps_required_message(field: forms.Field) -> forms.Field:
    """Mark a field whose own "required" message PublicFormMixin must not replace."""
    setattr(field, KEEPS_REQUIRED_MESSAGE, True)
    return field


class ConfirmationRow(TypedDict):
    name: str
    label: "StrOrPromise"
    value: object  # what the template prints
    multiline: bool


def confirmation_rows(form: forms.Form) -> list[ConfirmationRow]:
    """What a confirmation page (確認画面) shows: each visible field's label and the value
    as the person will recognise it (a choice's label, はい/いいえ, a file's name)."""
    rows: list[ConfirmationRow] = []
    for bound in form:
        field = bound.field
        if bound.is_hidden or bound.name == "website":
            continue
        value = form.cleaned_data.get(bound.name)
        shown: object
        if isinstance(field, forms.BooleanField):
            shown = _("はい") if value else _("いいえ")
        elif isinstance(field, forms.ChoiceField):
            # A bound field's choices are (value, label) pairs; the stubs allow what the
            # constructor takes too.
            choices = cast("Iterable[tuple[Any, Any]]", field.choices)
            shown = dict(choices).get(value, value) if value else ""
        elif isinstance(field, forms.FileField):
            shown = getattr(value, "name", "") or ""
        else:
            shown = value or ""
        rows.append(
            {
                "name": bound.name,
                "label": bound.label,
                "value": shown,
                "multiline": isinstance(field.widget, forms.Textarea),
            }
        )
    return rows


def resubmitted_fields(form: forms.Form) -> Iterator[tuple[str, str]]:
    """Every field as it was posted (not files), for the confirmation page's hidden inputs:
    the form is validated again when they come back. Precondition: bound to request.POST."""
    data = form.data
    if not isinstance(data, MultiValueDict):
        raise TypeError("resubmitted_fields() needs a form bound to request.POST.")
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue
        for value in data.getlist(form.add_prefix(name)):
            yield form.add_prefix(name), value


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

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.cleaned_data.get("website"):
            # A form-level error: the field itself is hidden from people.
            raise forms.ValidationError(
                _("送信内容を確認できませんでした。もう一度お試しください。"), code="honeypot"
            )
        return self.cleaned_data


class RequesterRulesMixin(forms.Form):
    """The rules of a requester's fields, wherever a person is recorded (the public forms,
    staff at the door): the name and organisation trimmed, the reading in katakana, and the
    organisation required for a group, a business, a municipality or the prefecture.

    A form using it has `name`, `name_kana`, `organization` and `requester_type` fields."""

    organization_required = _(
        "県民グループ、事業者、市町・県からのご相談は団体・事業者・所属名を入力してください。"
    )

    clean_name_kana = clean_kana_field("name_kana")

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        return " ".join(name.split())

    def clean_organization(self) -> str:
        organization: str = self.cleaned_data["organization"]
        return organization.strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # Only when the field itself is valid: an over-long name already has its message.
        if (
            cleaned.get("requester_type") in ORGANIZATION_REQUIRED
            and "organization" in cleaned
            and not cleaned["organization"]
        ):
            self.add_error("organization", self.organization_required)
        return cleaned


class RequesterFieldsForm(RequesterRulesMixin, PublicFormMixin, HoneypotMixin, forms.Form):
    """Who is asking: the personal fields the consultation and seminar forms share.

    Field names are public contracts (spec.md). Subclasses adjust the wording through the
    class attributes below.
    """

    requester_type_label = _("相談者の区分")
    organization_help = _(
        "区分が県民グループ、県内事業者、市町、県のときは必須です。個人の方は入力不要です。"
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
        error_messages={
            "invalid": _(
                "有効なメールアドレスを、例えば hanako@example.jp のように半角で入力してください。"
            )
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("電話番号"),
        max_length=20,
        required=False,
        help_text=_("例: 059-224-3086"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    privacy_consent = keeps_required_message(
        forms.BooleanField(
            label=_("個人情報の取扱いに同意します"),
            error_messages={
                "required": _(
                    "個人情報の取扱いへの同意が必要です。内容をお読みのうえ、チェックを入れてください。"
                )
            },
        )
    )

    clean_phone = clean_phone_field("phone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requester_type"].label = self.requester_type_label
        self.fields["organization"].help_text = self.organization_help
        self.fields["email"].help_text = self.email_help
        # Shown next to the label: required for some requester types only.
        setattr(self.fields["organization"], CONDITION_NOTE, _("区分により必須"))
        if not japanese_form():
            # People who cannot type katakana (issue 11): the reading is optional, and Latin
            # letters are accepted. Staff find people by name.
            kana = self.fields["name_kana"]
            kana.required = False
            kana.help_text = _("任意。カタカナ、ひらがな、またはローマ字で入力してください。")

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].label = self.question


def retention_period_text() -> str:
    """PERSONAL_DATA_RETENTION_DAYS as the privacy notices say it: 「3年」 for 1095 days."""
    days = settings.PERSONAL_DATA_RETENTION_DAYS
    if days % 365 == 0:
        return ngettext("%(years)s年", "%(years)s年", days // 365) % {"years": days // 365}
    return ngettext("%(days)s日", "%(days)s日", days) % {"days": days}


class FiscalYearForm(forms.Form):
    """A fiscal year chosen by its 令和 label (`?fy=2022` shows 令和4年度): the one year picker
    of the figures pages. `chosen(default)` is the valid choice, or `default`."""

    fy = forms.TypedChoiceField(
        label=_("年度"),
        coerce=int,
        required=False,
        error_messages={
            "invalid_choice": _("その年度は選べません。一覧から年度を選んでください。")
        },
    )

    def __init__(self, *args: Any, years: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fy_field = cast(forms.TypedChoiceField, self.fields["fy"])  # the copy of `fy` above
        fy_field.choices = [(fy, fiscal_year_label(fy)) for fy in sorted(set(years), reverse=True)]
        fy_field.widget.attrs["class"] = "form-select"

    def chosen(self, default: int) -> int:
        if self.is_valid() and self.cleaned_data["fy"]:
            fy: int = self.cleaned_data["fy"]  # coerced by the field
            return fy
        return default

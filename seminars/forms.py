"""Forms of the public seminar pages and of the admin.

The registration form's field names are a public contract (spec.md): name, name_kana, email,
phone, organization, requester_type, attendance, wants_consultation, consultation_topic,
privacy_consent (and the honeypot `website`).
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from mie_dx.fiscal import fiscal_year, reiwa_year
from mie_dx.forms import RequesterFieldsForm, SurveyForm
from seminars.models import Attendance, Seminar

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # django-stubs' ModelForm is generic in its model; Django's is not subscriptable.
    _SeminarModelForm = forms.ModelForm[Seminar]
else:
    _SeminarModelForm = forms.ModelForm


class RegistrationForm(RequesterFieldsForm):
    requester_type_label = _("参加者の区分")
    organization_required = _(
        "県民グループ、事業者、市町・県の方は団体・事業者・所属名を入力してください。"
    )
    email_help = _("申込みの確認と、申込内容の確認・変更・取消し用のリンクをお送りします。")
    field_order = [
        "requester_type",
        "organization",
        "name",
        "name_kana",
        "email",
        "phone",
        "attendance",
        "wants_consultation",
        "consultation_topic",
        "privacy_consent",
    ]

    # Fields whose HTML depends only on the language and the initial value (field_html); not
    # the attendance, whose choices say how many seats are left.
    static_fields = frozenset(
        [
            "requester_type",
            "organization",
            "name",
            "name_kana",
            "email",
            "phone",
            "wants_consultation",
            "consultation_topic",
            "privacy_consent",
            "website",
        ]
    )

    attendance = forms.ChoiceField(label=_("参加方法"), widget=forms.RadioSelect)
    wants_consultation = forms.BooleanField(
        label=_("セミナー終了後の個別相談会を希望する"), required=False
    )
    consultation_topic = forms.CharField(
        label=_("個別相談で相談したい内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("個別相談会を希望する方は、相談したい内容をお書きください（2,000字以内）。"),
    )

    def __init__(self, *args: Any, seminar: Seminar, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seminar = seminar
        attendance = cast(forms.ChoiceField, self.fields["attendance"])  # the copy of the field
        attendance.choices = [
            (value, self._attendance_label(value, label))
            for value, label in seminar.attendance_choices
        ]
        if len(seminar.attendance_choices) == 1:
            self.initial.setdefault("attendance", seminar.attendance_choices[0][0])
        if not seminar.has_consultation_session:
            # The seminar has no individual-consultation session: the two fields are ignored.
            del self.fields["wants_consultation"]
            del self.fields["consultation_topic"]

    def _attendance_label(self, value: str, label: "StrOrPromise") -> str:
        """The choice with what it means now: seats left, or that it joins the waiting list."""
        seminar = self.seminar
        if not hasattr(seminar, "onsite_taken"):
            return str(label)
        left = (
            seminar.onsite_seats_left if value == Attendance.ONSITE else seminar.online_seats_left
        )
        if left is None:
            return str(label)
        if left == 0:
            return _("%(label)s（満席のため、キャンセル待ちでの受付になります）") % {"label": label}
        return _("%(label)s（残り%(left)s席）") % {"label": label, "left": left}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("wants_consultation") and not cleaned.get("consultation_topic", "").strip():
            self.add_error(
                "consultation_topic",
                _("個別相談会を希望する場合は、相談したい内容を入力してください。"),
            )
        return cleaned

    def consultation_request(self) -> tuple[bool, str]:
        """(wants an individual consultation, topic); (False, "") when none is offered."""
        wants = bool(self.cleaned_data.get("wants_consultation"))
        topic = (self.cleaned_data.get("consultation_topic") or "").strip()
        return wants, topic if wants else ""


class ChangeAttendanceForm(forms.Form):
    attendance = forms.ChoiceField(label=_("変更後の参加方法"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, seminar: Seminar, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attendance = cast(forms.ChoiceField, self.fields["attendance"])  # the copy of the field
        attendance.choices = seminar.attendance_choices


class CancelRegistrationForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("この申込みを取り消します"),
        error_messages={"required": _("取り消す場合はチェックを入れてください。")},
    )


class SeminarSurveyForm(SurveyForm):
    question = _("今回のセミナーは役に立ちましたか")


class SeminarAdminForm(_SeminarModelForm):
    """Staff edit a seminar; its status changes only through the admin's actions."""

    online_meeting_url = forms.URLField(
        label=Seminar._meta.get_field("online_meeting_url").verbose_name,
        help_text=Seminar._meta.get_field("online_meeting_url").help_text,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Seminar
        fields = (
            "fiscal_year",
            "number",
            "slug",
            "title",
            "theme",
            "description",
            "date",
            "date_note",
            "doors_open_time",
            "start_time",
            "end_time",
            "registration_deadline",
            "format",
            "venue_name",
            "venue_address",
            "onsite_capacity",
            "online_platform",
            "online_capacity",
            "online_meeting_url",
            "online_meeting_note",
            "fee_yen",
            "consultation_start_time",
            "consultation_end_time",
            "consultation_slot_minutes",
        )

    # Filled in when left empty (clean below): staff need not work out a Western fiscal year,
    # the next number or a URL name.
    auto_help_texts = {
        "fiscal_year": _(
            "開催日から自動で入ります。開催日が未定のときだけ、西暦の年度（令和8年度は2026）を入力してください。"
        ),
        "number": _("空欄なら、その年度の次の回数が入ります。"),
        "slug": _(
            "空欄なら年度と回から自動で付けます（令和8年度の第1回は r8-01）。公開後は変更しないでください。"
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, help_text in self.auto_help_texts.items():
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text = help_text

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        day = cleaned.get("date")
        if day is not None:
            cleaned["fiscal_year"] = fiscal_year(day)
        elif not cleaned.get("fiscal_year"):
            self.add_error("fiscal_year", _("開催日が未定のときは年度を入力してください。"))
        fy = cleaned.get("fiscal_year")
        others = Seminar.objects.exclude(pk=self.instance.pk)
        if fy and not cleaned.get("number") and "number" not in self.errors:
            last = others.filter(fiscal_year=fy).aggregate(n=Max("number"))["n"] or 0
            cleaned["number"] = last + 1
        if fy and cleaned.get("number") and not cleaned.get("slug") and "slug" not in self.errors:
            wanted = f"r{reiwa_year(fy)}-{cleaned['number']:02d}"
            taken = others.filter(slug__startswith=wanted).values_list("slug", flat=True)
            cleaned["slug"] = _free_slug(wanted, taken)
        elif not cleaned.get("slug") and "slug" not in self.errors:
            self.add_error("slug", _("URL用識別子を入力してください。"))
        fmt = cleaned.get("format")
        if fmt in ("onsite", "hybrid") and not cleaned.get("onsite_capacity"):
            self.add_error("onsite_capacity", _("会場で開催する場合は定員を入力してください。"))
        deadline = cleaned.get("registration_deadline")
        if deadline and day and deadline > day:
            self.add_error("registration_deadline", _("申込締切日は開催日までの日にしてください。"))
        minutes = cleaned.get("consultation_slot_minutes")
        if minutes is not None and minutes < 5:
            self.add_error("consultation_slot_minutes", _("1枠は5分以上にしてください。"))
        return cleaned


def _free_slug(wanted: str, taken: Iterable[str]) -> str:
    """`wanted`, or `wanted-2`, `-3` … when another seminar has it."""
    used = {slug for slug in taken if slug == wanted or slug.startswith(f"{wanted}-")}
    slug, n = wanted, 1
    while slug in used:
        n += 1
        slug = f"{wanted}-{n}"
    return slug


class CancelSeminarForm(forms.Form):
    reason = forms.CharField(
        label=_("中止の理由（登録者へのメールに記載します）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("このセミナーを中止し、登録者全員に知らせます"),
        error_messages={"required": _("中止する場合はチェックを入れてください。")},
    )

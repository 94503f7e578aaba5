"""Walk-ins: someone who comes to the door without having registered.

Staff record them on the check-in page with a name (the reading and organisation if given):
an on-site registration, attended at once. Nobody is asked for an e-mail address at the door,
so the registration holds an undeliverable placeholder (RFC 2606 `.invalid`, as erasure does)
and seminars.notifications sends it nothing.
"""

import secrets
from datetime import datetime
from typing import TypedDict

from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mie_dx.audit import log_action
from mie_dx.erasure import ERASED_EMAIL_DOMAIN
from mie_dx.forms import RequesterRulesMixin
from mie_dx.people import RequesterType
from mie_dx.users import acting_user
from seminars.models import (
    SEAT_HOLDING,
    Attendance,
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarStatus,
)
from seminars.services import SeminarError


class WalkIn(TypedDict):
    """Who came to the door, as register_walk_in takes it."""

    name: str
    name_kana: str
    organization: str
    requester_type: str


class WalkInForm(RequesterRulesMixin, forms.Form):
    """Who came to the door: the requester fields' own rules (mie_dx.forms)."""

    organization_required = gettext_lazy(
        "県民グループ、事業者、市町・県の方は団体・事業者・所属名を入力してください。"
    )

    name = forms.CharField(label=gettext_lazy("氏名"), max_length=100)
    name_kana = forms.CharField(
        label=gettext_lazy("フリガナ（任意）"), max_length=100, required=False
    )
    organization = forms.CharField(
        label=gettext_lazy("団体・事業者・所属名（任意）"), max_length=200, required=False
    )
    requester_type = forms.ChoiceField(
        label=gettext_lazy("区分"), choices=RequesterType.choices, initial=RequesterType.INDIVIDUAL
    )
    privacy_consent = forms.BooleanField(
        label=gettext_lazy("ご本人が個人情報の取扱いに同意しました"),
        error_messages={
            "required": gettext_lazy("個人情報の取扱いへのご本人の同意を確認してください。")
        },
    )

    def cleaned_data_for_service(self) -> WalkIn:
        """register_walk_in's keyword arguments."""
        data = self.cleaned_data
        return WalkIn(
            name=data["name"],
            name_kana=data["name_kana"],
            organization=data["organization"],
            requester_type=data["requester_type"],
        )


@transaction.atomic
def register_walk_in(
    *,
    seminar: Seminar,
    name: str,
    name_kana: str = "",
    organization: str = "",
    requester_type: str = RequesterType.INDIVIDUAL,
    by: AbstractBaseUser | AnonymousUser | None,
    now: datetime | None = None,
) -> tuple[Registration, bool]:
    """Record a walk-in as attended on site. Returns (registration, over capacity).

    Locks the seminar row, as every seat change does (seminars.services). The person is in the
    room, so a full room does not refuse them; the caller is told it is over capacity.
    Raises SeminarError before the seminar's day, for a seminar not held on site, or one that
    is a draft or cancelled.
    """
    now = now or timezone.now()
    seminar = Seminar.objects.select_for_update().get(pk=seminar.pk)
    if seminar.status not in (SeminarStatus.PUBLISHED, SeminarStatus.HELD):
        raise SeminarError(_("公開中または開催済みのセミナーだけに当日参加を記録できます。"))
    if not seminar.offers_onsite:
        raise SeminarError(_("会場での開催がないセミナーです。"))
    if seminar.date is None or timezone.localdate(now) < seminar.date:
        raise SeminarError(_("開催日より前には出欠を記録できません。"))
    taken = Registration.objects.filter(
        seminar=seminar, attendance=Attendance.ONSITE, status__in=SEAT_HOLDING
    ).count()
    registration = Registration.objects.create(
        seminar=seminar,
        status=RegistrationStatus.ATTENDED,
        attendance=Attendance.ONSITE,
        requester_type=requester_type,
        organization=organization.strip(),
        name=name,
        name_kana=name_kana,
        email=f"walk-in-{secrets.token_hex(8)}@{ERASED_EMAIL_DOMAIN}",
        privacy_consent_at=now,
        registered_at=now,
        confirmed_at=now,
        checked_in_at=now,
        checked_in_by=acting_user(by),
    )
    log_action(
        registration,
        "registration.created",
        by=by,
        data={"status": registration.status, "attendance": Attendance.ONSITE, "walk_in": True},
    )
    return registration, taken >= (seminar.onsite_capacity or 0)

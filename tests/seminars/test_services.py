"""The seat rules, the waiting list, attendance changes, cancellation and the consultation link,
through seminars.services."""

from datetime import datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from consultations.models import Consultation, Source
from seminars import services
from seminars.models import Attendance, Format, Registration, RegistrationStatus, SeminarStatus
from tests.seminars.factories import RegistrationFactory, SeminarFactory, details, register

pytestmark = pytest.mark.django_db

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED


def test_onsite_is_confirmed_while_seats_remain_then_waitlisted_in_order():
    seminar = SeminarFactory(onsite_capacity=2)
    people = [register(seminar, email=f"p{i}@example.jp") for i in range(4)]
    assert [p.status for p in people] == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert people[2].waitlisted_at <= people[3].waitlisted_at
    assert people[0].confirmed_at is not None and people[2].confirmed_at is None


def test_online_is_confirmed_without_a_cap_even_when_onsite_is_full():
    seminar = SeminarFactory(onsite_capacity=1)
    register(seminar, email="a@example.jp")
    online = [
        register(seminar, attendance=Attendance.ONLINE, email=f"o{i}@example.jp") for i in range(30)
    ]
    assert {r.status for r in online} == {CONFIRMED}


def test_online_cap_waitlists_online_registrants_too():
    seminar = SeminarFactory(online_capacity=1)
    first = register(seminar, attendance=Attendance.ONLINE, email="a@example.jp")
    second = register(seminar, attendance=Attendance.ONLINE, email="b@example.jp")
    assert (first.status, second.status) == (CONFIRMED, WAITLISTED)


def test_a_second_registration_with_the_same_address_creates_nothing(mailoutbox):
    seminar = SeminarFactory()
    first = register(seminar, email="Hanako@Example.jp")
    result = services.register(
        seminar=seminar,
        details=details(email="hanako@example.JP", name="別人"),
        attendance=Attendance.ONLINE,
    )
    assert result.created is False
    assert result.registration.pk == first.pk
    assert Registration.objects.filter(seminar=seminar).count() == 1
    first.refresh_from_db()
    assert first.name == "見本 花子"


def test_the_same_address_may_register_again_after_cancelling():
    seminar = SeminarFactory()
    first = register(seminar)
    services.cancel_registration(registration=first)
    again = register(seminar)
    assert again.pk != first.pk
    assert again.status == CONFIRMED


def test_the_database_refuses_two_active_registrations_for_one_address():
    seminar = SeminarFactory()
    RegistrationFactory(seminar=seminar, email="same@example.jp")
    RegistrationFactory(seminar=seminar, email="SAME@example.jp", status=CANCELLED)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(seminar=seminar, email="Same@Example.jp")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": SeminarStatus.DRAFT}, "まだ公開されていません"),
        ({"status": SeminarStatus.CANCELLED}, "中止になりました"),
        ({"status": SeminarStatus.HELD}, "終了しました"),
        ({"format": ""}, "受付はまだ始まっていません"),
        # A seminar whose day is not fixed yet takes no registrations.
        ({"date": None, "date_note": "12月中旬（予定）"}, "受付はまだ始まっていません"),
    ],
)
def test_registration_is_closed_with_a_clear_message(changes, message):
    seminar = SeminarFactory(**changes)
    with pytest.raises(services.RegistrationClosed, match=message):
        register(seminar)
    assert not Registration.objects.exists()


def test_no_registration_after_the_deadline_day(time_machine):
    seminar = SeminarFactory()
    deadline_evening = datetime.combine(
        seminar.registration_deadline, time(23, 59), tzinfo=timezone.get_default_timezone()
    )
    time_machine.move_to(deadline_evening, tick=False)
    assert register(seminar, email="last@example.jp").status == CONFIRMED

    time_machine.move_to(deadline_evening + timedelta(minutes=1), tick=False)
    with pytest.raises(services.RegistrationClosed, match="締め切りました"):
        register(seminar, email="late@example.jp")


def test_an_attendance_the_seminar_does_not_offer_is_refused():
    seminar = SeminarFactory(format=Format.ONLINE)
    with pytest.raises(services.SeminarError):
        register(seminar, attendance=Attendance.ONSITE)


def test_a_consultation_request_becomes_a_seminar_consultation(mailoutbox):
    seminar = SeminarFactory()
    registration = register(
        seminar, wants_consultation=True, consultation_topic="RPAの導入について相談したい"
    )
    consultation = registration.consultation
    assert consultation is not None
    assert consultation.source == Source.SEMINAR
    assert consultation.privacy_consent_at is not None  # consent was given on the seminar form
    assert consultation.description == "RPAの導入について相談したい"
    assert consultation.email == registration.email
    assert seminar.title in consultation.title


def test_no_consultation_without_a_session_or_without_a_request():
    seminar = SeminarFactory(consultation_start_time=None, consultation_end_time=None)
    registration = register(seminar, wants_consultation=True, consultation_topic="相談")
    assert registration.consultation is None and not registration.wants_consultation
    other = register(SeminarFactory(), email="x@example.jp")
    assert other.consultation is None
    assert not Consultation.objects.exists()


def test_a_failed_registration_leaves_no_consultation_behind():
    seminar = SeminarFactory()
    RegistrationFactory(seminar=seminar, email="taken@example.jp")
    # Registration is checked before the consultation is made; a closed seminar makes none.
    seminar.status = SeminarStatus.CANCELLED
    seminar.save()
    with pytest.raises(services.RegistrationClosed):
        register(seminar, wants_consultation=True, consultation_topic="相談")
    assert not Consultation.objects.exists()


def test_cancelling_promotes_the_first_waitlisted_person_of_that_attendance():
    seminar = SeminarFactory(onsite_capacity=1)
    holder = register(seminar, email="holder@example.jp")
    first_waiting = register(seminar, email="first@example.jp")
    second_waiting = register(seminar, email="second@example.jp")

    services.cancel_registration(registration=holder)

    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == CONFIRMED
    assert first_waiting.confirmed_at is not None
    assert second_waiting.status == WAITLISTED


def test_cancelling_a_waitlisted_registration_promotes_nobody():
    seminar = SeminarFactory(onsite_capacity=1)
    register(seminar, email="holder@example.jp")
    waiting = register(seminar, email="w1@example.jp")
    behind = register(seminar, email="w2@example.jp")
    services.cancel_registration(registration=waiting)
    behind.refresh_from_db()
    assert behind.status == WAITLISTED


def test_cancel_rules():
    seminar = SeminarFactory()
    registration = register(seminar)
    services.cancel_registration(registration=registration)
    with pytest.raises(services.SeminarError, match="すでに取り消されています"):
        services.cancel_registration(registration=registration)

    started = register(seminar, email="b@example.jp")
    during = seminar.starts_at + timedelta(minutes=5)
    with pytest.raises(services.SeminarError, match="開始後"):
        services.cancel_registration(registration=started, now=during)


def test_a_waitlisted_person_switching_to_online_is_confirmed_at_once():
    seminar = SeminarFactory(onsite_capacity=1)
    register(seminar, email="holder@example.jp")
    waiting = register(seminar, email="w@example.jp")
    services.change_attendance(registration=waiting, attendance=Attendance.ONLINE)
    waiting.refresh_from_db()
    assert (waiting.attendance, waiting.status) == (Attendance.ONLINE, CONFIRMED)


def test_giving_up_an_onsite_seat_for_online_promotes_the_next_person():
    seminar = SeminarFactory(onsite_capacity=1)
    holder = register(seminar, email="holder@example.jp")
    waiting = register(seminar, email="w@example.jp")
    services.change_attendance(registration=holder, attendance=Attendance.ONLINE)
    waiting.refresh_from_db()
    assert waiting.status == CONFIRMED
    assert (
        Registration.objects.filter(
            seminar=seminar, attendance=Attendance.ONSITE, status=CONFIRMED
        ).count()
        == 1
    )


def test_switching_to_a_full_attendance_is_refused_and_keeps_the_seat():
    seminar = SeminarFactory(onsite_capacity=1)
    register(seminar, email="holder@example.jp")
    online = register(seminar, attendance=Attendance.ONLINE, email="o@example.jp")
    with pytest.raises(services.SeminarError, match="満席"):
        services.change_attendance(registration=online, attendance=Attendance.ONSITE)
    online.refresh_from_db()
    assert (online.attendance, online.status) == (Attendance.ONLINE, CONFIRMED)


def test_raising_the_capacity_lets_staff_promote_the_waiting_list():
    seminar = SeminarFactory(onsite_capacity=1)
    register(seminar, email="holder@example.jp")
    waiting = [register(seminar, email=f"w{i}@example.jp") for i in range(3)]
    seminar.onsite_capacity = 3
    seminar.save()
    promoted = services.promote_waitlisted(seminar=seminar)
    assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]


def test_check_in_records_attended_and_no_show_from_the_seminar_day(center_staff, time_machine):
    seminar = SeminarFactory()
    registration = register(seminar)
    waiting_list_seminar = SeminarFactory(onsite_capacity=0)
    waiting = register(waiting_list_seminar, email="w@example.jp")

    with pytest.raises(services.SeminarError, match="開催日より前"):
        services.record_attendance(registration=registration, attended=True, by=center_staff)

    time_machine.move_to(seminar.starts_at, tick=False)
    services.record_attendance(registration=registration, attended=True, by=center_staff)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.ATTENDED
    assert registration.checked_in_by == center_staff
    services.record_attendance(registration=registration, attended=False, by=center_staff)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.NO_SHOW
    services.record_attendance(registration=registration, attended=None, by=center_staff)
    registration.refresh_from_db()
    assert (registration.status, registration.checked_in_at) == (CONFIRMED, None)

    time_machine.move_to(waiting_list_seminar.starts_at, tick=False)
    with pytest.raises(services.SeminarError, match="参加が確定していない"):
        services.record_attendance(registration=waiting, attended=True, by=center_staff)


def test_slots_are_given_in_turn_from_the_window_start():
    seminar = SeminarFactory(consultation_slot_minutes=20)  # 15:30–16:30: three slots
    people = [
        register(
            seminar, email=f"c{i}@example.jp", wants_consultation=True, consultation_topic="相談"
        )
        for i in range(4)
    ]
    register(seminar, email="nope@example.jp")

    result = services.assign_consultation_slots(seminar=seminar)

    times = [timezone.localtime(r.consultation_slot_at).strftime("%H:%M") for r in result.assigned]
    assert times == ["15:30", "15:50", "16:10"]
    assert [r.pk for r in result.assigned] == [p.pk for p in people[:3]]
    assert [r.pk for r in result.unassigned] == [people[3].pk]


def test_reassigning_selected_people_skips_slots_others_hold():
    seminar = SeminarFactory(consultation_slot_minutes=30)
    a, b = (
        register(
            seminar, email=f"{n}@example.jp", wants_consultation=True, consultation_topic="相談"
        )
        for n in "ab"
    )
    services.assign_consultation_slots(seminar=seminar, registrations=[a])
    services.assign_consultation_slots(seminar=seminar, registrations=[b])
    a.refresh_from_db()
    b.refresh_from_db()
    assert timezone.localtime(a.consultation_slot_at).time() == time(15, 30)
    assert timezone.localtime(b.consultation_slot_at).time() == time(16, 0)


def test_slots_need_a_window_and_a_length():
    seminar = SeminarFactory(consultation_slot_minutes=None)
    with pytest.raises(services.SeminarError, match="1枠の長さ"):
        services.assign_consultation_slots(seminar=seminar)


def test_seminar_status_changes():
    draft = SeminarFactory(status=SeminarStatus.DRAFT)
    services.publish_seminar(seminar=draft)
    draft.refresh_from_db()
    assert draft.status == SeminarStatus.PUBLISHED
    with pytest.raises(services.SeminarError):
        services.publish_seminar(seminar=draft)
    with pytest.raises(services.SeminarError, match="開始前"):
        services.mark_held(seminar=draft)
    services.mark_held(seminar=draft, now=draft.starts_at + timedelta(hours=3))
    draft.refresh_from_db()
    assert draft.status == SeminarStatus.HELD
    with pytest.raises(services.SeminarError):
        services.cancel_seminar(seminar=draft)

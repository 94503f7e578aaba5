"""Many people registering for the last seats at once, in real threads against PostgreSQL.

Each thread has its own database connection and transaction; a barrier releases them together
so that they really compete for the seminar row lock.
"""

import threading

import pytest
from django.db import connection

from seminars.models import Attendance, Registration, RegistrationStatus
from tests.seminars.factories import SeminarFactory, register

pytestmark = pytest.mark.django_db(transaction=True)


def _run_at_once(count: int, target) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            target(i)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def test_thirty_people_for_five_seats_gives_exactly_five_confirmed():
    seminar = SeminarFactory(onsite_capacity=5)

    errors = _run_at_once(30, lambda i: register(seminar, email=f"burst{i}@example.jp"))

    assert errors == []
    registrations = Registration.objects.filter(seminar=seminar, attendance=Attendance.ONSITE)
    assert registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 5
    assert registrations.filter(status=RegistrationStatus.WAITLISTED).count() == 25
    # First come, first served: the confirmed are the five who got the lock first.
    ordered = list(registrations.order_by("registered_at", "pk").values_list("status", flat=True))
    assert ordered[:5] == [RegistrationStatus.CONFIRMED] * 5


def test_the_same_address_submitted_at_once_makes_one_registration():
    seminar = SeminarFactory()

    errors = _run_at_once(10, lambda i: register(seminar, email="same@example.jp"))

    assert errors == []
    assert Registration.objects.filter(seminar=seminar).count() == 1


def test_cancellations_and_registrations_at_once_never_exceed_the_capacity():
    seminar = SeminarFactory(onsite_capacity=3)
    holders = [register(seminar, email=f"h{i}@example.jp") for i in range(3)]
    waiting = [register(seminar, email=f"w{i}@example.jp") for i in range(3)]
    assert {w.status for w in waiting} == {RegistrationStatus.WAITLISTED}

    from seminars import services

    def act(i: int) -> None:
        if i < 3:
            services.cancel_registration(registration=holders[i])
        else:
            register(seminar, email=f"new{i}@example.jp")

    errors = _run_at_once(12, act)

    assert errors == []
    confirmed = Registration.objects.filter(
        seminar=seminar, attendance=Attendance.ONSITE, status=RegistrationStatus.CONFIRMED
    )
    assert confirmed.count() == 3
    # The three who were waiting come first: newcomers never jump the queue.
    assert set(confirmed.values_list("pk", flat=True)) == {w.pk for w in waiting}

"""Benchmark of the staff survey (職員アンケート): sending a round to 5,000 staff (the outbox
rows written in bounded queries) and the results page with 5,000 answers.

    .venv/bin/python bench/staff_survey.py                 # 5,000 staff
    .venv/bin/python bench/staff_survey.py --staff 20000 --repeat 10

What it does:
1. (Re)creates its own PostgreSQL database (default `mie_dx_staff_survey_bench` on the server of
   DATABASE_URL, override with BENCH_DATABASE_URL; the name must contain "bench") and
   migrates it; loads the demo organisation (29 divisions) and `--staff` active staff with an
   e-mail address each.
2. Sends a round to all of them (`training.services.send_staff_survey`: an invitation and an
   outbox row each) and reports the business transaction's time and queries, then the commit
   (which publishes each row's send task; tasks run in process here with e-mail discarded, so
   this part includes the sending itself).
3. Marks every invitation answered and writes one answer per member of staff (bulk), then
   times GET /training/surveys/<id>/ as a manager `--repeat` times after one warm-up and
   counts its queries; the same with a tenth of the answers, to show the query count does not
   grow.
"""

import argparse
import statistics
import sys
import time

from benchdb import (
    bench_database_url,
    create_bench_staff,
    recreate_database,
    setup_django,
    signed_in_client,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=5000, help="staff (5000)")
    parser.add_argument("--repeat", type=int, default=5, help="page loads timed (5)")
    return parser.parse_args()


def build(staff_count: int):
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from mie_dx.demo import load_organisation
    from mie_dx.roles import MANAGERS

    call_command("migrate", verbosity=0, interactive=False)
    load_organisation()
    create_bench_staff(staff_count)
    manager = User.objects.create_user("bench-manager", password="x", is_staff=True)
    manager.groups.add(Group.objects.get(name=MANAGERS))
    return manager


def new_round(title: str):
    from datetime import timedelta

    from django.utils import timezone

    from mie_dx.fiscal import fiscal_year
    from training.models import StaffSurvey

    today = timezone.localdate()
    return StaffSurvey.objects.create(
        fiscal_year=fiscal_year(today),
        title=title,
        opens_on=today,
        closes_on=today + timedelta(days=14),
    )


def time_send(survey) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from mie_dx.models import Notification
    from training import services

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        with transaction.atomic():
            result = services.send_staff_survey(survey=survey)
            business = time.perf_counter() - started
            business_queries = len(queries)
        total = time.perf_counter() - started
    rows = Notification.objects.filter(template="staff_survey").count()
    print(
        f"send to {result['invited']} staff: transaction {business:.2f} s, "
        f"{business_queries} queries ({rows} outbox rows); "
        f"with the commit and the in-process sending {total:.2f} s"
    )


def answer_all(survey, fraction: int = 1) -> int:
    from training.models import StaffSurveyAnswer, StaffSurveyInvitation

    invitations = list(
        StaffSurveyInvitation.objects.filter(survey=survey)
        .select_related("staff")
        .order_by("pk")[::fraction]
    )
    values = ["yes", "somewhat", "not_really", "no"]
    StaffSurveyAnswer.objects.bulk_create(
        (
            StaffSurveyAnswer(
                survey=survey,
                department_id=invitation.department_id,
                stage=invitation.staff.stage,
                smart=values[i % 4],
                digital=values[(i // 4) % 4],
                comment="ベンチの感想" if i % 50 == 0 else "",
            )
            for i, invitation in enumerate(invitations)
        ),
        batch_size=5000,
    )
    StaffSurveyInvitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
        has_answered=True
    )
    return len(invitations)


def time_results(manager, survey, repeat: int, answers: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client(manager)
    url = f"/training/surveys/{survey.pk}/"
    assert client.get(url).status_code == 200  # warm-up
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    print(
        f"GET {url} with {answers} answers: median {statistics.median(timings) * 1000:.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms over {repeat} loads, {len(queries)} queries"
    )


def main() -> int:
    args = parse_args()
    url = bench_database_url("mie_dx_staff_survey_bench")
    recreate_database(url)
    setup_django(url)
    started = time.perf_counter()
    manager = build(args.staff)
    print(f"built {args.staff} staff in {time.perf_counter() - started:.1f} s")
    survey = new_round("ベンチ職員アンケート")
    time_send(survey)
    answers = answer_all(survey)
    time_results(manager, survey, args.repeat, answers)
    smaller = new_round("ベンチ職員アンケート（1割）")
    from training import services

    services.send_staff_survey(survey=smaller)
    time_results(manager, smaller, args.repeat, answer_all(smaller, fraction=10))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`manage.py load_demo`: 34 sample consultations shaped like the seed's figures (§4-3)."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import (
    AdviceSession,
    Assignment,
    Consultation,
    ReferenceCounter,
    StatusChange,
    SupportRecord,
    Survey,
)
from kpi.selectors import kpi_figures
from mie_dx.fiscal import fiscal_year
from mie_dx.models import Notification
from tests.consultations.factories import requester_details

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_demo", verbosity=0)
    return Consultation.objects.filter(is_sample=True)


def test_load_demo_adds_34_samples_shaped_like_the_seed(loaded):
    assert loaded.count() == Consultation.objects.count() == 34
    by_requester = Counter(loaded.values_list("requester_type", flat=True))
    assert by_requester["business"] == 19
    assert by_requester["group"] == 5
    assert by_requester["municipality"] + by_requester["prefecture"] == 10
    assert by_requester["individual"] == 0
    assert Counter(loaded.values_list("category", flat=True)) == {
        "info": 10,
        "training": 12,
        "problem": 9,
        "other": 3,
    }
    # R3 (FY2021, April 2021 – March 2022): 29; R4 to 31 May 2022: 5.
    fiscal_years = Counter(fiscal_year(timezone.localtime(c.created_at).date()) for c in loaded)
    assert fiscal_years == {2021: 29, 2022: 5}
    assert loaded.filter(created_at__date__gt="2022-05-31").count() == 0


def test_samples_are_clearly_fictional_and_in_various_states(loaded):
    assert all(c.title.startswith("【サンプル】") for c in loaded)
    assert all(c.email.endswith("@example.com") for c in loaded)
    assert len(set(loaded.values_list("status", flat=True))) >= 6
    # The three consultations the seed quotes are among them, word for word.
    titles = set(loaded.values_list("title", flat=True))
    assert "【サンプル】自治体DXの必要性に関する講義" in titles
    # Every sample has its history, and the closed ones their survey.
    assert StatusChange.objects.filter(consultation__in=loaded, to_status="received").count() == 34
    assert (
        Survey.objects.filter(consultation__in=loaded).count()
        == loaded.filter(status="closed").count()
    )


def test_load_demo_is_idempotent_and_sends_nothing(loaded, mailoutbox):
    call_command("load_demo", verbosity=0)

    assert Consultation.objects.filter(is_sample=True).count() == 34
    assert Consultation.objects.count() == 34
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_real_consultations_are_numbered_after_the_samples(loaded):
    # References follow the calendar year, like real ones (DX-<year>-<number>).
    references = set(loaded.values_list("reference", flat=True))
    by_year = Counter(reference[3:7] for reference in references)
    for year, count in by_year.items():
        assert ReferenceCounter.objects.get(year=int(year)).last_number == count
        assert {f"DX-{year}-{n:04d}" for n in range(1, count + 1)} <= references
    assert sum(by_year.values()) == 34

    real = services.submit_consultation(details=requester_details())

    assert real.reference not in references
    assert not real.is_sample


def test_the_demo_list_shows_the_samples_until_a_real_case_comes(loaded, client, center_staff):
    """Every demo case is a sample: the list opens on them (saying so), not on an empty page
    (issue 21); once a real case exists, samples stay out of the list unless asked for."""
    client.force_login(center_staff)
    changelist = reverse("admin:consultations_consultation_changelist")
    open_samples = Consultation.objects.filter(is_sample=True).open().count()

    demo = client.get(changelist)
    services.submit_consultation(details=requester_details())
    default = client.get(changelist)
    all_rows = client.get(changelist + "?sample=include&case=all")
    only_samples = client.get(changelist + "?sample=only&case=all")
    real_only = client.get(changelist + "?is_sample__exact=0&case=all")

    assert 0 < demo.context["cl"].result_count == open_samples
    assert "すべてデモ用のサンプルです" in demo.content.decode()
    assert default.context["cl"].result_count == 1
    assert "すべてデモ用のサンプルです" not in default.content.decode()
    assert all_rows.context["cl"].result_count == 35
    assert only_samples.context["cl"].result_count == 34
    assert real_only.context["cl"].result_count == 1


# --- The workflow as it is now, and KPI 10-1 b --------------------------------------------------


def test_samples_follow_the_workflow_supporters_asked_in_matching_advice_after_acceptance(loaded):
    advising = loaded.filter(status="advising")
    assert advising.count() == 2
    for consultation in advising:
        (assignment,) = consultation.assignments.all()
        assert assignment.state == Assignment.State.ACCEPTED
        change = consultation.status_changes.get(to_status="advising")
        assert change.changed_at == assignment.responded_at  # advising began at acceptance
        sessions = AdviceSession.objects.filter(assignment__consultation=consultation)
        assert [fiscal_year(s.held_on) for s in sessions] == [2022]  # R4
        assert consultation.requester_type == "business"
    (matching,) = loaded.filter(status="matching")
    assert list(matching.assignments.values_list("state", "responded_at")) == [("proposed", None)]
    # Every closed sample's supporter is done, its advice recorded before it closed.
    for session in AdviceSession.objects.filter(assignment__consultation__status="closed"):
        assert session.assignment.state == Assignment.State.DONE
        assert session.held_on <= timezone.localdate(session.assignment.consultation.closed_at)


def test_sample_support_records_are_marked_and_loaded_once(loaded):
    call_command("load_demo", verbosity=0)

    records = SupportRecord.objects.all()
    assert records.count() == 3
    assert all(r.is_sample and r.organization.startswith("【サンプル】") for r in records)
    assert {fiscal_year(r.supported_on) for r in records} == {2022}
    assert {r.programme for r in records} == {"startup", "air_mobility", "advanced_technology"}


def test_the_demo_gives_10_1_b_its_r4_figure(loaded):
    # By hand: the R3 baseline 26, plus in R4 the two businesses advised (samples 30 and 31)
    # and the three sample support records.
    figures = next(f for f in kpi_figures(today=date(2023, 3, 31)) if f.kpi.code == "10-1 b")
    r4 = next(y for y in figures.years if y.fiscal_year == 2022)

    assert r4.actual == Decimal(26 + 2 + 3)
    assert sorted(c.numerator for c in r4.contributions) == [2, 3]


def test_a_sample_loaded_by_an_earlier_version_gets_what_it_lacks(loaded):
    (matching,) = loaded.filter(status="matching")
    matching.assignments.all().delete()
    AdviceSession.objects.filter(assignment__consultation__status="advising").delete()

    call_command("load_demo", verbosity=0)

    assert matching.assignments.get().state == Assignment.State.PROPOSED
    assert AdviceSession.objects.filter(assignment__consultation__status="advising").count() == 2
    assert Consultation.objects.count() == 34

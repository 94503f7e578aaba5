"""Fiscal years in the admin: the seminars' 年度 column and the consultations' date, both
filtered by fiscal year (1 April – 31 March, Asia/Tokyo), labelled 令和N年度 (FY in English)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from consultations.models import Consultation
from mie_dx.admin_filters import FiscalYearFieldListFilter
from tests.consultations.factories import ConsultationFactory
from tests.procedures.factories import ProcedureFactory
from tests.seminars.factories import SeminarFactory

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
SEMINARS = reverse("admin:seminars_seminar_changelist")
CONSULTATIONS = reverse("admin:consultations_consultation_changelist")


def filter_choices(response, title_part: str) -> dict[str, str]:
    """{label: query string} of the change list filter whose title contains `title_part`."""
    changelist = response.context["cl"]
    for spec in changelist.filter_specs:
        if title_part in str(spec.title):
            return {str(c["display"]): c["query_string"] for c in spec.choices(changelist)}
    raise AssertionError(f"no filter {title_part!r}")


def test_seminars_filter_by_fiscal_year_labelled_in_reiwa(client, center_staff):
    SeminarFactory(fiscal_year=2022, date=None, title="令和4年度の回")
    SeminarFactory(fiscal_year=2023, date=None, title="令和5年度の回")
    client.force_login(center_staff)

    response = client.get(SEMINARS)
    choices = filter_choices(response, "年度")

    assert list(choices)[1:] == ["令和5年度", "令和4年度"]  # newest first, after "All"
    r4 = client.get(SEMINARS + choices["令和4年度"])
    assert [s.title for s in r4.context["cl"].result_list] == ["令和4年度の回"]


def test_the_fiscal_year_labels_are_fy_in_english(client, center_staff):
    SeminarFactory(fiscal_year=2022, date=None)
    client.force_login(center_staff)

    response = client.get(SEMINARS, headers={"accept-language": "en"})

    changelist = response.context["cl"]
    (spec,) = [s for s in changelist.filter_specs if isinstance(s, FiscalYearFieldListFilter)]
    assert [str(c["display"]) for c in spec.choices(changelist)][1:] == ["FY2022"]
    assert "令和4年度" not in response.content.decode()


def _consultation_at(moment: datetime, title: str) -> Consultation:
    consultation = ConsultationFactory(title=title)
    Consultation.objects.filter(pk=consultation.pk).update(created_at=moment)
    return consultation


def test_consultations_filter_by_fiscal_year_in_tokyo_time(client, center_staff):
    # 1 April 00:10 in Tokyo is 令和5年度, although it is still 31 March in UTC.
    _consultation_at(datetime(2023, 3, 31, 23, 30, tzinfo=TOKYO), "年度末の相談")
    _consultation_at(datetime(2023, 4, 1, 0, 10, tzinfo=TOKYO), "年度初めの相談")
    _consultation_at(datetime(2024, 4, 1, 9, 0, tzinfo=TOKYO), "翌年度の相談")
    client.force_login(center_staff)

    response = client.get(CONSULTATIONS)
    choices = filter_choices(response, "年度")

    assert [label for label in choices if "令和" in label] == [
        "令和6年度",
        "令和5年度",
        "令和4年度",
    ]

    def titles(label: str) -> list[str]:
        listed = client.get(CONSULTATIONS + choices[label])
        return [c.title for c in listed.context["cl"].result_list]

    assert titles("令和4年度") == ["年度末の相談"]
    assert titles("令和5年度") == ["年度初めの相談"]
    assert titles("令和6年度") == ["翌年度の相談"]


def test_the_consultations_export_follows_the_fiscal_year_filter(client, center_staff):
    _consultation_at(datetime(2023, 3, 31, 23, 30, tzinfo=TOKYO), "年度末の相談")
    _consultation_at(datetime(2023, 4, 1, 0, 10, tzinfo=TOKYO), "年度初めの相談")
    client.force_login(center_staff)
    query = filter_choices(client.get(CONSULTATIONS), "年度")["令和5年度"]

    exported = client.get(reverse("admin:consultations_export") + query)

    text = exported.content.decode("utf-8-sig")
    assert "年度初めの相談" in text and "年度末の相談" not in text


def test_no_fiscal_year_choices_without_rows(client, center_staff):
    client.force_login(center_staff)
    choices = filter_choices(client.get(CONSULTATIONS), "年度")
    assert not [label for label in choices if "令和" in label]


def test_a_nullable_date_filtered_by_fiscal_year_shows_its_counts(client, procedure_officer):
    """The admin's "show counts" (facets) filters by each choice's own values: 「日付なし」 and
    「日付あり」 must be booleans there (an isnull lookup refuses the text "True")."""
    ProcedureFactory(digitised=True, digitised_on=date(2022, 6, 1))
    ProcedureFactory()
    client.force_login(procedure_officer)

    response = client.get(reverse("admin:procedures_procedure_changelist") + "?_facets=True")

    assert response.status_code == 200
    choices = filter_choices(response, "デジタル化日（年度）")
    assert {label for label in choices if "令和" in label} == {"令和4年度 (1)"}
    assert "日付なし (1)" in choices and "日付あり (1)" in choices

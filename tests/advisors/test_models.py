import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from tests.advisors.factories import ExpertiseAreaFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def test_expertise_name_follows_active_language():
    area = ExpertiseAreaFactory(name="オープンデータ", name_en="Open data")
    with translation.override("ja"):
        assert area.localized_name == "オープンデータ"
        assert str(area) == "オープンデータ"
    with translation.override("en"):
        assert area.localized_name == "Open data"


def test_expertise_without_english_name_falls_back_to_japanese():
    area = ExpertiseAreaFactory(name="農業", name_en="")
    with translation.override("en"):
        assert area.localized_name == "農業"


def test_affiliation_lines_and_term_label():
    supporter = SupporterFactory(affiliation="役職A\n\n 役職B \n", term_start_fy=2022)
    assert supporter.affiliation_lines == ["役職A", "役職B"]
    with translation.override("ja"):
        assert supporter.term_label == "令和4年度〜"
        supporter.term_end_fy = 2023
        assert supporter.term_label == "令和4年度〜令和5年度"
    assert supporter.get_absolute_url() == f"/advisors/{supporter.slug}/"


def test_term_end_before_start_is_refused_by_the_database():
    supporter = SupporterFactory(term_start_fy=2022)
    supporter.term_end_fy = 2021
    with pytest.raises(IntegrityError), transaction.atomic():
        supporter.save()


def test_unknown_kind_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        SupporterFactory(kind="sponsor")


def test_slug_is_unique():
    SupporterFactory(slug="seki-haruyuki")
    with pytest.raises(IntegrityError), transaction.atomic():
        SupporterFactory(slug="seki-haruyuki")


def test_changes_are_recorded_in_history():
    area = ExpertiseAreaFactory()
    supporter = SupporterFactory()
    supporter.profile = "更新後のプロフィール。"
    supporter.save()
    supporter.expertise.add(area)
    records = list(supporter.history.order_by("history_date", "history_id"))
    assert [r.history_type for r in records] == ["+", "~", "~"]
    assert records[1].profile == "更新後のプロフィール。"
    # The expertise links are part of the audit trail too.
    assert list(records[-1].expertise.values_list("expertisearea_id", flat=True)) == [area.pk]

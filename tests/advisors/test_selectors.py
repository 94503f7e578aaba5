import pytest

from advisors.models import Supporter
from advisors.selectors import expertise_areas, public_supporters
from tests.advisors.factories import ExpertiseAreaFactory, PartnerFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def test_public_supporters_hides_inactive_and_orders_by_kind_then_reading():
    SupporterFactory(name="後", sort_key="わ")
    SupporterFactory(name="先", sort_key="あ")
    SupporterFactory(name="休止中", is_active=False)
    PartnerFactory(name="企業", sort_key="い")
    names = [s.name for s in public_supporters()]
    assert names == ["先", "後", "企業"]


def test_public_supporters_filters_by_expertise():
    open_data, farming = ExpertiseAreaFactory(), ExpertiseAreaFactory()
    tagged = SupporterFactory(expertise=[open_data, farming])
    SupporterFactory(expertise=[farming])
    assert list(public_supporters(expertise=open_data)) == [tagged]
    # Filtering by one area keeps every area of the row (the prefetch is not narrowed).
    assert list(public_supporters(expertise=open_data)[0].expertise.all()) == [open_data, farming]


def test_public_supporters_prefetches_expertise(django_assert_num_queries):
    areas = ExpertiseAreaFactory.create_batch(2)
    SupporterFactory.create_batch(5, expertise=areas)
    with django_assert_num_queries(2):
        rows = [(s.name, [a.slug for a in s.expertise.all()]) for s in public_supporters()]
    assert len(rows) == 5
    assert Supporter.objects.count() == 5


def test_expertise_areas_in_display_order():
    later = ExpertiseAreaFactory(display_order=20)
    first = ExpertiseAreaFactory(display_order=10)
    assert list(expertise_areas()) == [first, later]

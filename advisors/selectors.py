"""Reads of supporters for public pages.

The access rule lives here: the public sees only active supporters, and only through these
querysets, which also carry the prefetch the pages need (a fixed number of queries).
"""

from django.db.models import Prefetch, QuerySet

from advisors.models import ExpertiseArea, Supporter


def expertise_areas() -> QuerySet[ExpertiseArea]:
    """Every expertise area in display order (the directory's filter choices)."""
    return ExpertiseArea.objects.order_by("display_order", "slug")


def public_supporters(*, expertise: ExpertiseArea | None = None) -> QuerySet[Supporter]:
    """Active supporters in directory order (advisors, then partners; 五十音順 by sort_key).

    With `expertise`, only those tagged with that area. Each row's expertise areas are
    prefetched in display order, so iterating `supporter.expertise.all()` costs no query.
    """
    queryset = Supporter.objects.filter(is_active=True)
    if expertise is not None:
        queryset = queryset.filter(expertise=expertise)
    return queryset.prefetch_related(Prefetch("expertise", queryset=expertise_areas())).order_by(
        "kind", "sort_key", "name", "pk"
    )

"""Public: the joint initiatives of the prefecture and the municipalities (/municipal-dx/)."""

from collections import defaultdict
from typing import Any

from django.views.generic import TemplateView

from procedures.models import PARTICIPANT_MUNICIPALITIES
from procedures.selectors import public_initiatives


class MunicipalInitiativesView(TemplateView):
    """The initiatives marked public, newest first, each with the municipalities taking part,
    and for each municipality the initiatives it takes part in (a resident looks up their
    town). Two queries whatever the number of initiatives; served from the page cache
    (procedures/municipal_urls.py)."""

    template_name = "procedures/municipal_initiatives.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        initiatives = list(public_initiatives())
        by_municipality: dict[str, list[Any]] = defaultdict(list)
        for initiative in initiatives:
            for participant in initiative.participants.all():
                by_municipality[participant.municipality].append(initiative)
        context.update(
            initiatives=initiatives,
            municipalities=[
                (value, label, by_municipality[value])
                for value, label in PARTICIPANT_MUNICIPALITIES
                if by_municipality[value]
            ],
        )
        return context

"""Public: the joint initiatives of the prefecture and the municipalities (/municipal-dx/)."""

from typing import Any

from django.views.generic import TemplateView

from mie_dx.pagecache import do_not_cache
from procedures.models import PARTICIPANT_MUNICIPALITIES
from procedures.selectors import public_initiatives

TOWNS = dict(PARTICIPANT_MUNICIPALITIES)


class MunicipalInitiativesView(TemplateView):
    """The initiatives marked public, newest first, each with the municipalities taking part;
    `?town=tsu` keeps those a municipality takes part in (a resident looks up their town; an
    unknown value shows them all). Two queries whatever the number of initiatives; served
    from the page cache (procedures/municipal_urls.py)."""

    template_name = "procedures/municipal_initiatives.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        town = self.request.GET.get("town", "")
        if town not in TOWNS:
            if town:
                do_not_cache(self.request)  # a made-up value would fill the cache
            town = ""
        initiatives = public_initiatives()
        if town:
            initiatives = initiatives.filter(participants__municipality=town)
        context.update(
            initiatives=list(initiatives),
            town=town,
            town_label=TOWNS.get(town, ""),
            towns=PARTICIPANT_MUNICIPALITIES,
        )
        return context

"""Public directory of みえDXアドバイザーズ and みえDXパートナーズ (read only)."""

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.views.generic import DetailView, ListView

from advisors.forms import DirectoryFilterForm
from advisors.models import ExpertiseArea, Supporter
from advisors.selectors import public_supporters
from mie_dx.pagecache import do_not_cache

if TYPE_CHECKING:
    # django-stubs' generic views are generic in their model; Django's are not subscriptable.
    _SupporterListView = ListView[Supporter]
    _SupporterDetailView = DetailView[Supporter]
else:
    _SupporterListView, _SupporterDetailView = ListView, DetailView


class DirectoryView(_SupporterListView):
    """/advisors/ — active supporters in two sections, optionally filtered by expertise.

    An unknown `?expertise=` value shows the error on the form and the unfiltered directory.
    """

    template_name = "advisors/supporter_list.html"
    context_object_name = "supporters"

    def get_queryset(self) -> QuerySet[Supporter]:
        self.filter_form = DirectoryFilterForm(self.request.GET or None)
        self.selected_area: ExpertiseArea | None = None
        if self.filter_form.is_bound and self.filter_form.is_valid():
            self.selected_area = self.filter_form.cleaned_data["expertise"]
        elif self.filter_form.is_bound:
            do_not_cache(self.request)  # a made-up value is not worth a cache entry
        return public_supporters(expertise=self.selected_area)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        supporters = list(context["supporters"])
        context.update(
            filter_form=self.filter_form,
            selected_area=self.selected_area,
            advisors=[s for s in supporters if s.kind == Supporter.Kind.ADVISOR],
            partners=[s for s in supporters if s.kind == Supporter.Kind.PARTNER],
        )
        return context


class SupporterDetailView(_SupporterDetailView):
    """/advisors/<slug>/ — one active supporter; inactive or unknown slugs are 404."""

    template_name = "advisors/supporter_detail.html"
    context_object_name = "supporter"

    def get_queryset(self) -> QuerySet[Supporter]:
        return public_supporters()

"""The portal's URLs plus /bench/bare/: a bare Django view rendering a tiny template, through
the same middleware, as the yardstick of bench/pages.py."""

from django.urls import path
from django.views.generic import TemplateView

from mie_dx.urls import urlpatterns as portal

urlpatterns = [
    path("bench/bare/", TemplateView.as_view(template_name="bench_bare.html")),
    *portal,
]

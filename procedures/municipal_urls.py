"""/municipal-dx/ (declared as an extra prefix in procedures/apps.py)."""

from django.urls import path

from mie_dx.pagecache import public_page
from procedures import municipal_views

app_name = "municipal_dx"

urlpatterns = [
    path(
        "",
        public_page(
            municipal_views.MunicipalInitiativesView.as_view(),
            topics=["municipal_dx"],
            # ?town=tsu: the initiatives of one municipality (procedures.municipal_views).
            query={"town": r"[a-z]{1,16}"},
        ),
        name="list",
    ),
]

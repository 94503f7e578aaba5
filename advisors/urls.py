from django.urls import path

from advisors import views
from mie_dx.pagecache import public_page

app_name = "advisors"

urlpatterns = [
    path(
        "",
        public_page(
            views.DirectoryView.as_view(),
            topics=["advisors"],
            query={"expertise": r"[-a-zA-Z0-9_]{1,50}"},
        ),
        name="directory",
    ),
    path(
        "<slug:slug>/",
        public_page(views.SupporterDetailView.as_view(), topics=["advisors"]),
        name="detail",
    ),
]

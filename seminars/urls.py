from django.urls import path

from mie_dx.pagecache import public_page
from seminars import views

app_name = "seminars"

urlpatterns = [
    path(
        "",
        public_page(
            views.SeminarListView.as_view(), topics=["seminars"], query={"page": r"\d{1,4}"}
        ),
        name="list",
    ),
    path("manage/<token:token>/", views.RegistrationManageView.as_view(), name="manage"),
    path("survey/<token:token>/", views.SeminarSurveyView.as_view(), name="survey"),
    path("<slug:slug>.ics", views.seminar_calendar_view, name="calendar"),
    path(
        "<slug:slug>/",
        public_page(views.SeminarDetailView.as_view(), topics=["seminars"]),
        name="detail",
    ),
    path(
        "<slug:slug>/register/",
        # The empty form, from the cache (each visitor gets their own CSRF token put in);
        # the seat is always decided under the seminar's lock when it is sent.
        public_page(views.RegistrationCreateView.as_view(), topics=["seminars"]),
        name="register",
    ),
    path("<slug:slug>/registered/", views.RegistrationDoneView.as_view(), name="registered"),
]

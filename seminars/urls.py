from django.urls import path

from seminars import views

app_name = "seminars"

urlpatterns = [
    path("", views.SeminarListView.as_view(), name="list"),
    path("manage/<token:token>/", views.RegistrationManageView.as_view(), name="manage"),
    path("survey/<token:token>/", views.SeminarSurveyView.as_view(), name="survey"),
    path("<slug:slug>.ics", views.seminar_calendar_view, name="calendar"),
    path("<slug:slug>/", views.SeminarDetailView.as_view(), name="detail"),
    path("<slug:slug>/register/", views.RegistrationCreateView.as_view(), name="register"),
    path("<slug:slug>/registered/", views.RegistrationDoneView.as_view(), name="registered"),
]

from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("new/", views.ConsultationCreateView.as_view(), name="new"),
    path("submitted/", views.ConsultationSubmittedView.as_view(), name="submitted"),
    path("status/<token:token>/", views.ConsultationStatusView.as_view(), name="status"),
    path("survey/<token:token>/", views.ConsultationSurveyView.as_view(), name="survey"),
    path("supporter/<token:token>/", views.AssignmentView.as_view(), name="assignment"),
    path("<int:pk>/attachment/", views.AttachmentDownloadView.as_view(), name="attachment"),
]

from django.urls import path

from procedures import views

app_name = "procedures"

urlpatterns = [
    path("", views.ProcedureDashboardView.as_view(), name="dashboard"),
    path("progress/", views.ProgressView.as_view(), name="progress"),
    path("progress/online.csv", views.online_procedures_csv, name="online_csv"),
    path("p/<str:code>/", views.ProcedureDetailView.as_view(), name="detail"),
]

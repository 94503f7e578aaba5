from django.urls import path

from kpi import views

app_name = "kpi"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("export.csv", views.ExportView.as_view(), name="export"),
    path("<slug:slug>/", views.KpiDetailView.as_view(), name="detail"),
    path(
        "<slug:slug>/drilldown/<int:fiscal_year>/", views.DrilldownView.as_view(), name="drilldown"
    ),
]

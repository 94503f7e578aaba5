from django.urls import path

from kpi import views

app_name = "kpi"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("export.csv", views.ExportView.as_view(), name="export"),
    path("reports/", views.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", views.ReportView.as_view(), name="report"),
    path("reports/<int:pk>/report.xlsx", views.ReportXlsxView.as_view(), name="report_xlsx"),
    path("<slug:slug>/", views.KpiDetailView.as_view(), name="detail"),
    path(
        "<slug:slug>/drilldown/<int:fiscal_year>/", views.DrilldownView.as_view(), name="drilldown"
    ),
]

from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("departments/<str:code>/", views.DepartmentView.as_view(), name="department"),
    path("overdue/", views.OverdueView.as_view(), name="overdue"),
    path("specialists/", views.SpecialistsView.as_view(), name="specialists"),
    path("promoters/", views.PromotersView.as_view(), name="promoters"),
    path("plan/", views.PlanView.as_view(), name="plan"),
    path("enrol/", views.AutoEnrolView.as_view(), name="auto_enrol"),
    path("export/<slug:report>/", views.ExportView.as_view(), name="export"),
    path("surveys/", views.StaffSurveyListView.as_view(), name="staff_surveys"),
    path("surveys/<int:pk>/", views.StaffSurveyResultsView.as_view(), name="staff_survey_results"),
    path("surveys/<int:pk>/send/", views.StaffSurveySendView.as_view(), name="staff_survey_send"),
    path("staff-survey/<token:token>/", views.StaffSurveyAnswerView.as_view(), name="staff_survey"),
]

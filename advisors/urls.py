from django.urls import path

from advisors import views

app_name = "advisors"

urlpatterns = [
    path("", views.DirectoryView.as_view(), name="directory"),
    path("<slug:slug>/", views.SupporterDetailView.as_view(), name="detail"),
]

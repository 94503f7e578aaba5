from django.urls import path

from consultations import views
from mie_dx.pagecache import public_page

app_name = "consultations"

urlpatterns = [
    path(
        "new/",
        # The empty form, from the cache (each visitor gets their own CSRF token put in).
        public_page(
            views.ConsultationCreateView.as_view(),
            topics=["advisors"],  # 「この分野で相談する」 pre-fills the area's name
            query={"expertise": r"[-a-zA-Z0-9_]{1,50}", "category": r"[a-z_]{1,40}"},
        ),
        name="new",
    ),
    path("submitted/", views.ConsultationSubmittedView.as_view(), name="submitted"),
    path("status/<token:token>/", views.ConsultationStatusView.as_view(), name="status"),
    path("survey/<token:token>/", views.ConsultationSurveyView.as_view(), name="survey"),
    path("supporter/<token:token>/", views.AssignmentView.as_view(), name="assignment"),
    path("<int:pk>/attachment/", views.AttachmentDownloadView.as_view(), name="attachment"),
    # Managers and center staff: the figures as the seed tabulates them (§4), and downloads.
    path("figures/", views.ConsultationFiguresView.as_view(), name="figures"),
    path("figures/export/", views.ConsultationFiguresExportView.as_view(), name="figures_export"),
]

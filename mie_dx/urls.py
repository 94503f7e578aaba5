from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from mie_dx import views

admin.site.site_header = _("みえDXセンター 管理画面")
admin.site.site_title = _("みえDXセンター")
admin.site.index_title = _("業務メニュー")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("consultations/", include("consultations.urls")),
    path("advisors/", include("advisors.urls")),
    path("seminars/", include("seminars.urls")),
    path("kpi/", include("kpi.urls")),
    path("procedures/", include("procedures.urls")),
    # The second step of the staff sign-in (TOTP or a recovery code) and enrolment.
    path("admin/two-factor/", include("mie_dx.two_factor.urls")),
    # Before the admin's own: its "view on site" redirect, only for staff who may view the object.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        views.view_on_site,
        name="guarded_view_on_site",
    ),
    path("training/", include("training.urls")),
    path("admin/", admin.site.urls),
]

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from mie_dx import metrics, views
from mie_dx.pagecache import ALL, public_page
from mie_dx.registry import url_prefixes

admin.site.site_header = _("みえDXセンター 管理画面")
admin.site.site_title = _("みえDXセンター")
admin.site.index_title = _("業務メニュー")

urlpatterns = [
    path("", public_page(views.HomeView.as_view(), topics=[ALL]), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    # The site's information pages (contact, privacy, accessibility, site policy, FAQ).
    path("", include("mie_dx.pages")),
    # Each app's pages under the prefix its apps.py declares (mie_dx.registry.url_prefixes).
    *(path(prefix, include(module)) for prefix, module in url_prefixes()),
    # The second step of the staff sign-in (TOTP or a recovery code) and enrolment.
    path("admin/two-factor/", include("mie_dx.two_factor.urls")),
    # Before the admin's own: its "view on site" redirect, only for staff who may view the object.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        views.view_on_site,
        name="guarded_view_on_site",
    ),
    path("admin/", admin.site.urls),
]

# A refused page says, in the portal's language, which role it is for and whom to ask.
handler403 = "mie_dx.permission_denied.permission_denied"

from axes import apps as axes_apps
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with our site as `admin.site` (INSTALLED_APPS names this)."""

    default_site = "mie_dx.two_factor.admin_site.AdminSite"


class AxesConfig(axes_apps.AppConfig):
    """django-axes (the sign-in lockout) with a Japanese name in the admin (INSTALLED_APPS names
    this). Its models' names come from locale_vendor/ja, as axes ships no Japanese."""

    verbose_name = _("ログインのロック")

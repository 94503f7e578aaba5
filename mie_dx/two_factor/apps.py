from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with our site as `admin.site` (INSTALLED_APPS names this)."""

    default_site = "mie_dx.two_factor.admin_site.AdminSite"

from django.conf import settings


def center(request):
    """Contact details every page shows in its footer (domain.md: the center's contact)."""
    return {
        "CENTER_PHONE": "059-224-3086",
        "CENTER_EMAIL": "dxcenter@pref.mie.lg.jp",
        "SITE_URL": settings.SITE_URL,
    }

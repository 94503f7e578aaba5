from django.conf import settings


def center(request):
    """Contact details every page shows in its footer (domain.md: the center's contact)."""
    return {
        "CENTER_PHONE": settings.CENTER_CONTACT_PHONE,
        "CENTER_EMAIL": settings.CENTER_CONTACT_EMAIL,
        "SITE_URL": settings.SITE_URL,
    }

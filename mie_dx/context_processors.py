from django.conf import settings
from django.http import HttpRequest

from mie_dx import pagecache


def center(request: HttpRequest) -> dict[str, str]:
    """Contact details every page shows in its footer (domain.md: the center's contact)."""
    return {
        "CENTER_PHONE": settings.CENTER_CONTACT_PHONE,
        "CENTER_EMAIL": settings.CENTER_CONTACT_EMAIL,
        "SITE_URL": settings.SITE_URL,
    }


def page_cache(request: HttpRequest) -> dict[str, str]:
    """A page rendered to be stored for every visitor (mie_dx.pagecache) holds a placeholder
    where `{% csrf_token %}` would put this visitor's token; each visitor gets their own
    token put in its place when the page is served. Listed after Django's csrf processor,
    which it overrides."""
    if pagecache.rendering_for_cache(request):
        return {"csrf_token": pagecache.csrf_placeholder()}
    return {}

"""The site's own information pages (what a prefecture site has): access and contact, privacy
policy, accessibility statement, site policy, FAQ. Static text; the facts come from settings
(contact, retention period) and domain.md, nothing invented."""

from typing import Any

from django.conf import settings
from django.urls import path
from django.views.generic import TemplateView

from mie_dx.forms import retention_period_text

app_name = "pages"

# The prefecture's own page about the center (the seed's 申込み URL).
PREFECTURE_CENTER_URL = "https://www.pref.mie.lg.jp/D1DIGITAL/mie_dx_center.htm"


class InfoPageView(TemplateView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            retention=retention_period_text(),
            retention_days=settings.PERSONAL_DATA_RETENTION_DAYS,
            private_link_days=settings.PRIVATE_LINK_DAYS_AFTER_END.days,
            backup_days=settings.BACKUP_KEEP_DAYS,
            prefecture_center_url=PREFECTURE_CENTER_URL,
            **kwargs,
        )


urlpatterns = [
    path("contact/", InfoPageView.as_view(template_name="pages/contact.html"), name="contact"),
    path("privacy/", InfoPageView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path(
        "accessibility/",
        InfoPageView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path(
        "site-policy/",
        InfoPageView.as_view(template_name="pages/site_policy.html"),
        name="site_policy",
    ),
    path("faq/", InfoPageView.as_view(template_name="pages/faq.html"), name="faq"),
]

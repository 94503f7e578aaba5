from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from mie_dx.roles import CENTER_STAFF, MANAGERS


class AdvisorsConfig(AppConfig):
    name = "advisors"
    verbose_name = _("アドバイザー・パートナー")
    url_prefix = "advisors/"

    demo_loader = "advisors.demo.load_supporters"
    demo_order = 10
    # Public pages cached under "advisors" (mie_dx.pagecache) follow these rows.
    page_cache_topics = {"advisors": ("advisors.Supporter", "advisors.ExpertiseArea")}
    role_permissions = {
        CENTER_STAFF: [
            "advisors.add_supporter",
            "advisors.change_supporter",
            "advisors.view_supporter",
            "advisors.add_expertisearea",
            "advisors.change_expertisearea",
            "advisors.view_expertisearea",
            "advisors.view_historicalsupporter",
        ],
        MANAGERS: ["advisors.view_supporter", "advisors.view_expertisearea"],
    }

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MieDxConfig(AppConfig):
    name = "mie_dx"
    verbose_name = _("ポータル共通")

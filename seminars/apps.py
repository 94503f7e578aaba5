from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from mie_dx.roles import CENTER_STAFF, MANAGERS


class SeminarsConfig(AppConfig):
    name = "seminars"
    verbose_name = _("セミナー")

    demo_loader = "seminars.demo.load_seminars"
    demo_order = 20
    personal_data_purge = "seminars.retention.purge_expired"
    personal_data_label = "seminar registrations"
    private_link_paths = ("manage", "survey")
    role_permissions = {
        # センター事務局 run seminars; managers read them (figures, no registrants' details).
        CENTER_STAFF: [
            "seminars.add_seminar",
            "seminars.change_seminar",
            "seminars.view_seminar",
            "seminars.add_talk",
            "seminars.change_talk",
            "seminars.delete_talk",
            "seminars.view_talk",
            "seminars.change_registration",
            "seminars.view_registration",
            "seminars.view_seminarsurvey",
            "seminars.view_personal_data",
        ],
        MANAGERS: ["seminars.view_seminar", "seminars.view_talk", "seminars.view_seminarsurvey"],
    }

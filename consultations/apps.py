from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from mie_dx.roles import CENTER_STAFF, MANAGERS


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("相談")

    demo_loader = "consultations.demo.load_sample_consultations"
    demo_order = 30  # after seminars, as before
    personal_data_purge = "consultations.retention.purge_expired"
    personal_data_label = "consultations"
    private_link_paths = ("status", "survey", "supporter")
    role_permissions = {
        CENTER_STAFF: [
            "consultations.add_consultation",
            "consultations.change_consultation",
            "consultations.view_consultation",
            "consultations.change_status",
            "consultations.view_personal_data",
            "consultations.view_survey",
        ],
        # Managers read figures: consultations without the requesters' personal data.
        MANAGERS: ["consultations.view_consultation", "consultations.view_survey"],
    }

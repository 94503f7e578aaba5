"""Consultations in the admin, one module per idea: the list's filters, the case page's forms,
the next step, the case list and page, the surveys, and the support records outside the desk.
Importing this package registers them all."""

from consultations.admin import cases, support, surveys  # noqa: F401 (they register)
from consultations.admin.forms import ConsultationAdminForm
from consultations.admin.next_step import next_step

__all__ = ["ConsultationAdminForm", "next_step"]

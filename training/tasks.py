from celery import shared_task

from training import services
from training.services import send_reminders


@shared_task(time_limit=300, soft_time_limit=240)
def send_training_reminders() -> int:
    """Queue the reminders due today (safe to run twice: each enrolment is reminded once)."""
    return send_reminders()


@shared_task(time_limit=600, soft_time_limit=540)
def send_staff_survey_reminders() -> int:
    """Queue the staff survey's reminders due today (once per round: `reminded_at`, and the
    outbox's dedupe keys)."""
    return services.send_staff_survey_reminders()

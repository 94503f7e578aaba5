from celery import shared_task

from training.services import send_reminders


@shared_task(time_limit=300, soft_time_limit=240)
def send_training_reminders() -> int:
    """Queue the reminders due today (safe to run twice: each enrolment is reminded once)."""
    return send_reminders()

"""Scheduled consultation jobs (Celery beat). Thin: the work is in services."""

from celery import shared_task

from consultations import services


@shared_task
def send_survey_reminders() -> int:
    return services.send_survey_reminders()


@shared_task
def alert_stale_consultations() -> int:
    return services.alert_stale_consultations()

"""Scheduled seminar jobs (Celery beat, every 15 minutes). Thin: the work is in services."""

from celery import shared_task

from seminars import services


@shared_task(ignore_result=True)
def send_seminar_reminders() -> int:
    return services.send_reminders()


@shared_task(ignore_result=True)
def send_seminar_surveys() -> int:
    return services.send_surveys()

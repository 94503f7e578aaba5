from celery.schedules import crontab
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from mie_dx.roles import CENTER_STAFF, MANAGERS, PROCEDURE_OFFICERS, TRAINING_OFFICERS

ORGANISATION_MAINTENANCE = [
    "mie_dx.view_department",
    "mie_dx.add_department",
    "mie_dx.change_department",
    "mie_dx.view_division",
    "mie_dx.add_division",
    "mie_dx.change_division",
]


class MieDxConfig(AppConfig):
    name = "mie_dx"
    verbose_name = _("ポータル共通")

    # The core plugs into itself the way every app does (mie_dx.registry).
    demo_loader = "mie_dx.demo.load_organisation"
    demo_order = 0
    importers = {"divisions": "mie_dx.resources.DivisionResource"}
    # Alerts to the center's inbox (the failed-mail digest, seminar capacity): sent once more by
    # themselves after an uncertain send (mie_dx.registry).
    internal_alert_templates = ("staff_alert",)
    audit_actions = {
        "import.created": _("取込みで作成"),
        "import.updated": _("取込みで更新"),
        "notification.resent": _("メールの再送"),
    }
    notification_templates = {"staff_alert": _("職員への通知")}
    role_permissions = {
        CENTER_STAFF: [
            "mie_dx.view_notification",
            "mie_dx.change_notification",  # resend a failed or ambiguous notification
            "mie_dx.view_department",
            "mie_dx.view_division",
            "mie_dx.view_auditlog",
        ],
        MANAGERS: ["mie_dx.view_department", "mie_dx.view_division"],
        # The training and procedures offices keep the organisation up to date (April).
        TRAINING_OFFICERS: ORGANISATION_MAINTENANCE,
        PROCEDURE_OFFICERS: ORGANISATION_MAINTENANCE,
    }
    beat_schedule = {
        # The outbox sweep: re-queues notifications still pending after a crash between commit
        # and publish, and queues scheduled ones (reminders) whose due time has come.
        # Every 30 s. While the broker is down beat keeps trying to publish it (up to a minute,
        # then the next tick tries again) instead of dropping the tick, so the mail that waited
        # goes within seconds of the broker coming back; `expires` drops a sweep message that
        # could not run for a minute (a newer one follows).
        "sweep-notifications": {
            "task": "mie_dx.tasks.sweep_notifications",
            "schedule": 30.0,
            "options": {
                "expires": 60,
                "retry": True,
                "retry_policy": {
                    "max_retries": 60,
                    "interval_start": 0,
                    "interval_step": 0.5,
                    "interval_max": 1,
                },
            },
        },
        # The center hears once a day about e-mails that failed and wait for a resend.
        "failed-notifications-digest": {
            "task": "mie_dx.tasks.digest_failed_notifications",
            "schedule": crontab(hour=8, minute=0),
        },
        # Personal data past the retention period (PERSONAL_DATA_RETENTION_DAYS), every night.
        "purge-personal-data": {
            "task": "mie_dx.tasks.purge_personal_data",
            "schedule": crontab(hour=3, minute=15),
        },
    }

    def ready(self) -> None:
        from django.urls import register_converter

        from mie_dx import metrics, pagecache  # noqa: F401 — metrics: its task-failure signal
        from mie_dx.celery import app as celery_app
        from mie_dx.registry import beat_schedule, page_cache_topics
        from mie_dx.roles import sync_roles
        from mie_dx.tokens import TokenConverter

        # Before any app's urls.py is loaded: private links use <token:token>.
        register_converter(TokenConverter, "token")

        # sync_roles creates the permissions it needs itself, so once per migrate is enough.
        post_migrate.connect(sync_roles, sender=self, dispatch_uid="mie_dx.sync_roles")

        # Public pages served from the cache are renewed when the rows they show change.
        pagecache.connect(page_cache_topics())

        # Beat runs every app's entries. Set under the CELERY namespace, as the Django settings
        # are read: celery 5.6 ignores a change made under the plain name.
        celery_app.conf.update(CELERY_BEAT_SCHEDULE=beat_schedule())

"""The Celery app. Configuration comes from Django settings (the CELERY_ namespace)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mie_dx.settings.local")

app = Celery("mie_dx")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""Kept for the migration graph: the roles' permissions are now declared in seminars/apps.py
and granted by mie_dx.roles.sync_roles after every migrate."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("seminars", "0001_initial"),
        ("mie_dx", "0002_staff_groups"),
    ]

    operations = []

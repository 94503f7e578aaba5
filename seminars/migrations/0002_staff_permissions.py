"""センター事務局 run seminars; managers read them (figures, no registrants' personal data)."""

from django.db import migrations

from mie_dx.roles import CENTER_STAFF, MANAGERS, grant

CENTER_STAFF_PERMISSIONS = [
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
]

MANAGER_PERMISSIONS = [
    "seminars.view_seminar",
    "seminars.view_talk",
    "seminars.view_seminarsurvey",
]


def grant_permissions(apps, schema_editor):
    grant(apps, CENTER_STAFF, CENTER_STAFF_PERMISSIONS)
    grant(apps, MANAGERS, MANAGER_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("seminars", "0001_initial"),
        ("mie_dx", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]

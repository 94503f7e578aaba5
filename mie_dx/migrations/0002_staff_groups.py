"""The staff roles as groups, with the permissions of the apps that exist so far.

Later apps grant their own models' permissions in their own migrations (mie_dx.roles.grant).
"""

from django.db import migrations

from mie_dx.roles import ALL_ROLES, CENTER_STAFF, MANAGERS, grant

CENTER_STAFF_PERMISSIONS = [
    "advisors.add_supporter",
    "advisors.change_supporter",
    "advisors.view_supporter",
    "advisors.add_expertisearea",
    "advisors.change_expertisearea",
    "advisors.view_expertisearea",
    "advisors.view_historicalsupporter",
    "consultations.add_consultation",
    "consultations.change_consultation",
    "consultations.view_consultation",
    "consultations.change_status",
    "consultations.view_personal_data",
    "consultations.view_survey",
    "mie_dx.view_notification",
    "mie_dx.change_notification",  # resend a failed notification
]

# Managers read figures; they see consultations without the requesters' personal data.
MANAGER_PERMISSIONS = [
    "advisors.view_supporter",
    "advisors.view_expertisearea",
    "consultations.view_consultation",
    "consultations.view_survey",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in ALL_ROLES:
        Group.objects.get_or_create(name=role)
    grant(apps, CENTER_STAFF, CENTER_STAFF_PERMISSIONS)
    grant(apps, MANAGERS, MANAGER_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("mie_dx", "0001_initial"),
        ("advisors", "0001_initial"),
        ("consultations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]

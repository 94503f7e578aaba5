"""The staff roles as groups. What each may do is granted by mie_dx.roles.sync_roles after
every migrate, from what each app declares in its apps.py."""

from django.db import migrations

from mie_dx.roles import ALL_ROLES


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in ALL_ROLES:
        Group.objects.get_or_create(name=role)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("mie_dx", "0001_initial"),
        ("advisors", "0001_initial"),
        ("consultations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]

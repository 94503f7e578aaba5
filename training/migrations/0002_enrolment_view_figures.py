"""The office's pages need `training.view_figures` (granted to training officers and managers
by mie_dx.roles.sync_roles after migrate). Managers no longer view enrolments nor initiatives
in the admin (a person's course, dates, the specialists of an initiative): sync_roles only
adds, so the permissions granted before are taken back here."""

from django.db import migrations

MANAGERS = "管理職（KPI閲覧）"  # mie_dx.roles.MANAGERS, as it was when this ran
TAKEN_BACK = ("view_enrolment", "view_initiative")


def take_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=MANAGERS).first()
    if group is None:
        return
    group.permissions.remove(
        *Permission.objects.filter(content_type__app_label="training", codename__in=TAKEN_BACK)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="enrolment",
            options={
                "ordering": ["fiscal_year", "course__code", "staff__employee_number"],
                "permissions": [("view_figures", "研修の集計（/training/）を閲覧できる")],
                "verbose_name": "受講登録",
                "verbose_name_plural": "受講登録",
            },
        ),
        migrations.RunPython(take_back, migrations.RunPython.noop),
    ]

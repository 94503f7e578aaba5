"""The staff roles of the portal, as Django groups (created by a data migration).

Each app's own migrations grant its model permissions to these groups; README lists them.
"""

CENTER_STAFF = "センター事務局"
TRAINING_OFFICERS = "人材育成担当"
PROCEDURE_OFFICERS = "行政手続担当"
MANAGERS = "管理職（KPI閲覧）"

ALL_ROLES = (CENTER_STAFF, TRAINING_OFFICERS, PROCEDURE_OFFICERS, MANAGERS)


def grant(apps, role: str, permissions: list[str]) -> None:
    """Give `role` the permissions named "app_label.codename", creating what is missing.

    For data migrations: each app's migration grants its own models' permissions, so a role
    gains access as the apps that serve it are built. Permissions are normally created after
    migrate; this creates the ones the historical models need first.
    """
    from django.contrib.auth.management import create_permissions

    for app_label in {name.split(".", 1)[0] for name in permissions}:
        app_config = apps.get_app_config(app_label)
        # Historical app configs have no models module, and create_permissions skips those.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=role)
    for name in permissions:
        app_label, codename = name.split(".", 1)
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )

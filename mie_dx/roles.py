"""The staff roles of the portal, as Django groups.

The groups are created by a data migration; what each role may do is declared by each app in
its own `apps.py` (`role_permissions`, see mie_dx.registry) and granted by `sync_roles` after
every `migrate`. README lists the roles.
"""

CENTER_STAFF = "センター事務局"
TRAINING_OFFICERS = "人材育成担当"
PROCEDURE_OFFICERS = "行政手続担当"
MANAGERS = "管理職（KPI閲覧）"

ALL_ROLES = (CENTER_STAFF, TRAINING_OFFICERS, PROCEDURE_OFFICERS, MANAGERS)


def sync_roles(**_signal_kwargs: object) -> None:
    """Give every role the permissions the apps declare for it (only adds; idempotent).

    Runs after `migrate` (post_migrate) and in tests after a flush. Permissions are created
    first, so that a role can be granted what a just-migrated app defines.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from mie_dx.registry import role_permissions

    declared = role_permissions()
    app_labels = {name.split(".", 1)[0] for names in declared.values() for name in names}
    for label in app_labels:
        create_permissions(apps.get_app_config(label), verbosity=0)
    for role in ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = declared.get(role, [])
        if not wanted:
            continue
        permissions = Permission.objects.filter(
            content_type__app_label__in={name.split(".", 1)[0] for name in wanted}
        ).select_related("content_type")
        by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in permissions}
        missing = sorted(set(wanted) - set(by_name))
        if missing:
            raise LookupError(f"Unknown permissions declared for {role}: {', '.join(missing)}")
        group.permissions.add(*(by_name[name] for name in wanted))

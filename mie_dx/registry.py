"""How an app plugs into the core: it declares, in its own `apps.py`, what it brings.

The core never imports an app. Each app's AppConfig may set these class attributes (dotted
paths are imported when first needed, so an app's models are ready by then):

- `url_prefix` — "training/": the app's `urls.py` is served under it (the core's URLconf
  includes every declared one).
- `extra_url_prefixes` — {"municipal-dx/": "procedures.municipal_urls"}: further URLconfs of
  the app, each served under its own prefix (a public page that does not belong under
  `url_prefix`). A prefix is one app's only.
- `demo_loader` — "app.demo.load_x": a callable taking no arguments, idempotent, returning a
  mapping of counts. `load_demo` runs them in `demo_order` (then INSTALLED_APPS) order.
- `demo_order` — an integer; lower loads first (an app whose demo data names another app's
  rows loads after it). Default 100.
- `personal_data_purge` — "app.retention.purge_expired": `(*, dry_run: bool) -> list` of what
  was (or would be) erased. Beat and `purge_personal_data` run every one.
- `personal_data_label` — how the purge command names what it erased.
- `role_permissions` — {role name (mie_dx.roles): ["app_label.codename", ...]}: what each
  staff role may do in this app. Granted after every `migrate` (mie_dx.roles.sync_roles).
- `private_link_paths` — URL path segments followed by a private token ("status", "manage"):
  the outbox admin masks those tokens so staff cannot act as the person.
- `importers` — {name: "app.resources.XResource"}: what `import_data NAME FILE` imports.
- `audit_actions` — {"app.verb": _("label")}: how the admin names the app's audit-log actions.
- `acknowledgement_templates` — e-mail templates (templates/emails/NAME) that answer something
  the person just did on the portal and that they wait for (their reference, their private
  link). When a send of one of them ends "may have been sent" (mie_dx.delivery), the outbox sends
  it once more by itself, with the same Message-ID: a duplicate is better than a resident who
  never hears back.
- `internal_alert_templates` — e-mail templates sent to the center's own addresses (a new
  consultation, a supporter's answer): the same policy — an uncertain send goes once more by
  itself, since a duplicate alert costs nothing and a missing one hides a resident's request.
  Every other template's uncertain send waits for staff in the admin.
- `notification_templates` — {"template NAME": _("label")}: how the outbox admin names the
  app's e-mails (its filter and list), in words staff use rather than the file name.
- `kpi_sources` — {"KPI code": "app.selectors.fn"}: the figures an app holds for a plan KPI
  (contract in mie_dx.figures); several apps may feed one KPI, and one app may give several
  sources for it as a tuple of paths ({"10-1 b": ("app.selectors.a", "app.selectors.b")}).
- `page_cache_topics` — {"topic": ("app_label.Model", ...)}: a public page cached under that
  topic (mie_dx.pagecache.public_page) is renewed when one of those rows changes.
- `personal_data_erasers` — {"app_label.modelname": "app.retention.erase_again"}: how one row
  whose person was erased is erased again after a backup from before is restored
  (mie_dx.backup): `(pk: str, *, now: datetime) -> None`, idempotent, without the checks made
  when the person was first erased.
- `beat_schedule` — {"entry-name": {"task": "app.tasks.fn", "schedule": crontab(...)}}: the
  app's Celery beat entries; the core gives beat every app's (mie_dx.apps, at start-up).

Example (training/apps.py):

    class TrainingConfig(AppConfig):
        name = "training"
        demo_loader = "training.demo.load_training_plan"
        role_permissions = {TRAINING_OFFICERS: ["training.view_staff", ...]}
        importers = {"staff": "training.resources.StaffResource"}
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.utils.module_loading import import_string

from mie_dx.figures import KpiSource

# `(*, dry_run: bool)` → what was (or would be) erased: references, ids (they are printed).
PersonalDataPurge = Callable[..., Sequence[object]]


def _declaring(attribute: str) -> Iterator[tuple[AppConfig, Any]]:
    for config in apps.get_app_configs():
        value = getattr(config, attribute, None)
        if value:
            yield config, value


def demo_loaders() -> list[tuple[str, Callable[[], Mapping[str, int]]]]:
    """(app label, loader) in the order they must run."""
    declared = list(_declaring("demo_loader"))
    declared.sort(key=lambda item: getattr(item[0], "demo_order", 100))  # stable: then by app order
    return [(config.label, import_string(path)) for config, path in declared]


def personal_data_purges() -> list[tuple[str, PersonalDataPurge]]:
    return [
        (str(getattr(config, "personal_data_label", config.label)), import_string(path))
        for config, path in _declaring("personal_data_purge")
    ]


def personal_data_erasers() -> dict[str, Callable[..., object]]:
    return {
        model: import_string(path)
        for _config, declared in _declaring("personal_data_erasers")
        for model, path in declared.items()
    }


def role_permissions() -> dict[str, list[str]]:
    """Every role's permissions, gathered from every app."""
    gathered: dict[str, list[str]] = {}
    for _config, declared in _declaring("role_permissions"):
        for role, permissions in declared.items():
            gathered.setdefault(role, []).extend(permissions)
    return gathered


def private_link_paths() -> list[str]:
    paths: set[str] = set()
    for _config, declared in _declaring("private_link_paths"):
        paths.update(declared)
    return sorted(paths)


def _merged_by_name(attribute: str) -> dict[str, Any]:
    """Every app's {name: value} declarations of `attribute`; a name is one app's only."""
    gathered: dict[str, Any] = {}
    for config, declared in _declaring(attribute):
        for name, value in declared.items():
            if name in gathered:
                raise ValueError(f"Two apps declare {attribute} {name!r} ({config.label}).")
            gathered[name] = value
    return gathered


def importers() -> dict[str, str]:
    """{name: dotted path of the django-import-export resource}."""
    return _merged_by_name("importers")


def audit_action_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for _config, declared in _declaring("audit_actions"):
        labels.update(declared)
    return labels


def resend_once_templates() -> frozenset[str]:
    """Every app's templates sent once more after an uncertain send: acknowledgements and
    internal alerts (see above)."""
    gathered: set[str] = set()
    for attribute in ("acknowledgement_templates", "internal_alert_templates"):
        for _config, declared in _declaring(attribute):
            gathered.update(declared)
    return frozenset(gathered)


def notification_template_labels() -> dict[str, str]:
    """{template name: label} from every app (the outbox admin)."""
    labels: dict[str, str] = {}
    for _config, declared in _declaring("notification_templates"):
        labels.update(declared)
    return labels


def kpi_sources() -> dict[str, list[KpiSource]]:
    """{KPI code: [source, ...]} from every app (mie_dx.figures)."""
    gathered: dict[str, list[KpiSource]] = {}
    for _config, declared in _declaring("kpi_sources"):
        for code, paths in declared.items():
            for path in (paths,) if isinstance(paths, str) else paths:
                gathered.setdefault(code, []).append(import_string(path))
    return gathered


def url_prefixes() -> list[tuple[str, str]]:
    """(prefix, URLconf module) for every app that serves pages: each app's `url_prefix`
    ("app.urls"), then every declared `extra_url_prefixes` entry."""
    declared = [(prefix, f"{config.name}.urls") for config, prefix in _declaring("url_prefix")]
    extra = list(_merged_by_name("extra_url_prefixes").items())
    return declared + extra


def page_cache_topics() -> dict[str, list[str]]:
    """{topic: model labels}, merged over the apps (several may feed one topic)."""
    merged: dict[str, list[str]] = {}
    for _config, declared in _declaring("page_cache_topics"):
        for topic, labels in declared.items():
            merged.setdefault(topic, []).extend(labels)
    return merged


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Every app's Celery beat entries; two apps may not use one entry name."""
    return _merged_by_name("beat_schedule")

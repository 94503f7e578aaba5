"""Erasing personal data past the retention period, in every app that holds some.

Each app declares `personal_data_purge` in its apps.py (mie_dx.registry): a callable
`(*, dry_run)` returning what it erased (or would erase). PERSONAL_DATA_RETENTION_DAYS sets
the period. Beat runs `purge_all` daily; the `purge_personal_data` command runs it by hand.
"""

from collections.abc import Sequence

from mie_dx.registry import personal_data_purges


def purge_all(*, dry_run: bool = False) -> dict[str, Sequence[object]]:
    return {label: purge(dry_run=dry_run) for label, purge in personal_data_purges()}

"""`manage.py import_data NAME FILE [--dry-run]`: the admin's import, for scheduled jobs.

NAME is one of the importers the apps declare (mie_dx.registry.importers()); FILE a .csv
(UTF-8, with or without BOM) or .xlsx. All or nothing: with any bad row, each is printed
(line, column, reason), nothing is saved and the command exits with status 1. Otherwise it
prints how many rows were created, updated and unchanged, and exits with 0.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from mie_dx.importexport import ImportFileError, dataset_from_file, import_report
from mie_dx.registry import importers


class Command(BaseCommand):
    help = "Import a CSV or XLSX file with one of the portal's importers (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="what to import, e.g. divisions")
        parser.add_argument("file", help="a .csv (UTF-8) or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; save nothing"
        )

    def handle(self, *args: Any, name: str, file: str, dry_run: bool, **options: Any) -> None:
        known = importers()
        if name not in known:
            raise CommandError(
                _("「%(name)s」という取り込みはありません。使えるもの: %(known)s")
                % {"name": name, "known": ", ".join(sorted(known)) or "-"}
            )
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("ファイルを読めません: %(file)s（%(error)s）")
                % {"file": file, "error": error.strerror}
            ) from error
        try:
            dataset = dataset_from_file(content, path.name)
        except ImportFileError as error:
            raise CommandError(str(error)) from error

        resource = import_string(known[name])()
        report = import_report(resource, dataset, dry_run=dry_run)

        if not report.ok:
            for problem in report.problems:
                self.stdout.write(str(problem))
            self.stderr.write(
                _("取り込めない行があるため、何も保存していません（%(count)s件の問題）。")
                % {"count": len(report.problems)}
            )
            sys.exit(1)

        counts = {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        summary = _(
            "新規 %(created)s件、更新 %(updated)s件、変更なし %(unchanged)s件"
        ) % counts + " (created={created} updated={updated} unchanged={unchanged})".format(**counts)
        if dry_run:
            summary += " " + _("[確認のみ: 保存していません]")
        self.stdout.write(summary)

"""CSV downloads that open correctly in Japanese Excel: UTF-8 with a byte-order mark."""

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone

# A cell starting with one of these is a formula in Excel: prefix it so it stays text
# (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_response(
    *, filename_stem: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """An attachment `<stem>-<YYYYmmdd-HHMM>.csv` with a BOM and CRLF line ends."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename_stem}-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response

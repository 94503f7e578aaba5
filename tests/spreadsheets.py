"""Files as the offices' spreadsheets save them, for the import tests: CSV as Japanese Excel
writes it (UTF-8 with a BOM, CRLF) or without the BOM, and XLSX."""

import csv
import io

import openpyxl

# The procedures register's columns, as the spec's import/export contract names them.
PROCEDURE_COLUMNS = [
    "手続コード",
    "手続名",
    "様式名",
    "所属コード",
    "区分",
    "年間受付件数",
    "重点",
    "予定年度",
    "状態",
    "デジタル化日",
    "オンライン申請件数",
    "備考",
]


def csv_bytes(header: list[str], rows: list[list], *, bom: bool = True) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

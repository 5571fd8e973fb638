"""CSV and XLSX files of the dashboard's tables (openpyxl for XLSX, in write-only mode)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

Table = tuple[str, Sequence[str], Sequence[Sequence[Any]]]  # (title, header, rows)
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read ä and ö right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table, its header row first."""
    book = Workbook(write_only=True)
    used: set[str] = set()
    for title, header, rows in tables:
        sheet = book.create_sheet(_sheet_name(title, used))
        sheet.append(list(header))
        for row in rows:
            sheet.append([_cell(v) for v in row])
    if not tables:
        book.create_sheet("empty")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the book.
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "sheet"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base[:25]} {n}"
    used.add(name.lower())
    return name

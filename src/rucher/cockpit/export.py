"""CSV exports of the cockpit's tables (the same rows the page shows)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.http import HttpResponse

from rucher.cockpit.panels import Link, Shown, Table

# Spreadsheets run cells starting with these as formulas: prefix them with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, Link):
        value = value.text
    elif isinstance(value, Shown):
        value = value.value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_response(table: Table, prefix: str) -> HttpResponse:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{prefix}-{table.key}").strip("-")
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response

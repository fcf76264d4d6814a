"""Searching and exporting the trail (for administrators: the edges check who asks, and
append a ``read_audit`` entry for every search and export)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from rucher.audit.models import AuditEntry
from rucher.audit.trail import HASHED_FIELDS

EXPORT_FIELDS = [*HASHED_FIELDS, "previous_hash", "hash"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    """Who, what, when, which space; empty fields do not filter."""

    actor: str = ""  # a username (as it was when the entry was written)
    action: str = ""
    space_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def as_detail(self) -> dict[str, Any]:
        detail = {
            key: str(value) for key, value in self.__dict__.items() if value not in ("", None)
        }
        if "actor" in detail:
            # An account searched for is kept by id: the trail names nobody (docs/privacy.md).
            name = detail["actor"].strip().lstrip("@")
            found = (
                get_user_model().objects.filter(username__iexact=name).values_list("pk", flat=True)
            )
            if found:
                detail["actor"] = f"#{found[0]}"
        return detail


def search(filters: AuditFilter) -> QuerySet[AuditEntry]:
    """Entries matching ``filters``, newest first."""
    entries = AuditEntry.objects.all()
    if filters.actor:
        name = filters.actor.strip().lstrip("@")
        accounts = get_user_model().objects.filter(username__iexact=name).values("pk")
        entries = entries.filter(Q(actor_label__iexact=name) | Q(actor_id__in=accounts))
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.space_id is not None:
        entries = entries.filter(space_id=filters.space_id)
    if filters.since is not None:
        entries = entries.filter(at__gte=filters.since)
    if filters.until is not None:
        entries = entries.filter(at__lt=filters.until)
    return entries.order_by("-seq")


def known_actions() -> list[str]:
    return sorted(set(AuditEntry.objects.values_list("action", flat=True).distinct()))


def as_row(entry: AuditEntry) -> dict[str, Any]:
    row = {field: getattr(entry, field) for field in EXPORT_FIELDS}
    row["at"] = entry.at.isoformat()
    return row


def _cell(value: Any) -> Any:
    """A spreadsheet must not run a cell as a formula (an actor label may start with '=')."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The entries as CSV, a line at a time (for a streaming response or a file)."""

    class Line:
        def write(self, text: str) -> str:
            return text

    writer = csv.writer(Line())
    yield writer.writerow(EXPORT_FIELDS)
    for entry in entries:
        row = as_row(entry)
        yield writer.writerow([_cell(row[field]) for field in EXPORT_FIELDS])


def jsonl_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    for entry in entries:
        yield json.dumps(as_row(entry), ensure_ascii=False, sort_keys=True) + "\n"


def write_export(entries: Iterable[AuditEntry], fmt: str, out: IO[str]) -> int:
    lines = csv_lines(entries) if fmt == "csv" else jsonl_lines(entries)
    written = 0
    for line in lines:
        out.write(line)
        written += 1
    return written - (1 if fmt == "csv" else 0)

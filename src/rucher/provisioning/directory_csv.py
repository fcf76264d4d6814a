"""The directory as a CSV file: the plan (who is created, changed, deactivated) is worked out
and checked whole before anything is written, then applied in one transaction.

The file is the whole directory: an employee or partner guest it does not list is
deactivated. Administrators and community managers are never touched (they are managed in
rucher). Departments must already be in the organisation's list: a typo would otherwise
create a department and distort every figure by department.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from rucher.people.actions import accounts
from rucher.people.models import Department, Person

COLUMNS = ("username", "first_name", "last_name", "email", "job_title", "department", "active")
REQUIRED = ("username",)
TRUE_WORDS = {"", "1", "yes", "true", "oui", "vrai", "active", "actif"}
FALSE_WORDS = {"0", "no", "false", "non", "faux", "inactive", "inactif"}
MAX_PROBLEMS_SHOWN = 20


class CsvProblem(Exception):
    """The file cannot be applied; the message names the line(s)."""


@dataclass
class Change:
    kind: str  # created | changed | deactivated | reactivated
    username: str
    description: str
    person: Person | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    active: bool | None = None


@dataclass
class Plan:
    changes: list[Change]

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    def summary(self) -> str:
        kinds = ("created", "changed", "reactivated", "deactivated")
        return ", ".join(f"{self.count(k)} {k}" for k in kinds)


def _rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvProblem(f"not UTF-8 text (byte {error.start})") from None
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CsvProblem("the file is empty") from None
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise CsvProblem(
            f"line 1: unknown column(s) {', '.join(unknown)} (known: {', '.join(COLUMNS)})"
        )
    if "username" not in header:
        raise CsvProblem("line 1: the username column is required")
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    return header, rows


def _record(header: list[str], line: int, row: list[str], problems: list[str]) -> dict[str, str]:
    if len(row) != len(header):
        problems.append(f"line {line}: {len(row)} values for {len(header)} columns")
        return {}
    values = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
    if not values.get("username"):
        problems.append(f"line {line}: no username")
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            problems.append(f"line {line}: {values['email']!r} is not an e-mail address")
    if values.get("active", "").lower() not in TRUE_WORDS | FALSE_WORDS:
        problems.append(f"line {line}: active is yes or no, not {values['active']!r}")
    for name, limit in accounts.ACCOUNT_LIMITS.items():
        if len(values.get(name, "")) > limit:
            problems.append(f"line {line}: {name} has at most {limit} characters")
    return values


def plan_import(data: bytes) -> Plan:
    """What applying ``data`` would do; ``CsvProblem`` naming every bad line otherwise."""
    header, rows = _rows(data)
    problems: list[str] = []
    departments = {d.name.lower(): d for d in Department.objects.all()}
    people = {p.username.lower(): p for p in Person.objects.select_related("department")}
    seen: dict[str, int] = {}
    wanted: list[tuple[int, dict[str, str]]] = []
    for line, row in rows:
        values = _record(header, line, row, problems)
        if not values:
            continue
        key = values.get("username", "").lower()
        if key and key in seen:
            problems.append(f"line {line}: {values['username']} is also on line {seen[key]}")
            continue
        seen[key] = line
        department = values.get("department", "")
        if department and department.lower() not in departments:
            problems.append(f"line {line}: unknown department {department!r}")
        existing = people.get(key)
        if existing is not None and existing.kind not in accounts.DIRECTORY_KINDS:
            problems.append(
                f"line {line}: {existing.username} is an administrator or community manager "
                "(managed in rucher, not by the directory)"
            )
        wanted.append((line, values))
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        raise CsvProblem("; ".join(shown) + (f"; and {more} more" if more else ""))
    changes: list[Change] = []
    for _line, values in wanted:
        fields: dict[str, Any] = {
            name: values[name] for name in accounts.ACCOUNT_LIMITS if name in values
        }
        if "department" in values:
            fields["department"] = departments.get(values["department"].lower())
        active = values.get("active", "").lower() not in FALSE_WORDS
        existing = people.get(values["username"].lower())
        if existing is None:
            changes.append(
                Change("created", values["username"], _describe(fields), None, fields, active)
            )
            continue
        fields.pop("username", None)
        different = {k: v for k, v in fields.items() if getattr(existing, k) != v}
        if active != existing.is_active:
            kind = "reactivated" if active else "deactivated"
            changes.append(
                Change(kind, existing.username, _describe(different), existing, different, active)
            )
        elif different:
            changes.append(
                Change("changed", existing.username, _describe(different), existing, different)
            )
    listed = set(seen)
    for key, person in sorted(people.items()):
        if key not in listed and person.is_active and person.kind in accounts.DIRECTORY_KINDS:
            changes.append(
                Change("deactivated", person.username, "not in the file", person, {}, False)
            )
    return Plan(changes)


def _describe(fields: dict[str, Any]) -> str:
    return ", ".join(
        f"{k}={v}" for k, v in fields.items() if k != "username" and v not in ("", None)
    )


@transaction.atomic
def apply_plan(plan: Plan, actor: Person) -> None:
    """Every change or none (one transaction; each account's change is one event)."""
    for change in plan.changes:
        if change.person is None:
            accounts.create_account(actor, active=bool(change.active), **change.fields)
        else:
            accounts.change_account(actor, change.person, active=change.active, **change.fields)

"""What every cockpit panel is made of: tables, charts, and "how it was computed", with the
small helpers that turn the engine's results into them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from django.utils.translation import gettext as _

from rucher.people.models import Person

TOP_CONTEXTS = 12
MAX_ROWS = 200
KPIS: tuple[str, ...] = (
    "dau",
    "wau",
    "mau",
    "stickiness",
    "active_members",
    "new_members",
    "contributions",
    "reactions",
    "reply_rate",
    "answered_share",
    "median_hours_to_first_response",
)
PROFILE_NAMES: tuple[str, ...] = ("enthusiast", "show_off", "shy", "indifferent", "blase", "other")


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class How:
    """One figure's "how it was computed": the Result's method, parameters, denominator."""

    name: str
    method: str
    parameters: str
    denominator: str
    note: str = ""


@dataclass
class Panel:
    key: str
    title: str
    about: str
    chart: str = ""
    tables: list[Table] = field(default_factory=list)
    how: list[How] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, query string)


class Names:
    """Display names for the people the viewer may see named (``show_influence`` True)."""

    def __init__(self, person_ids: set[int]) -> None:
        people = Person.objects.filter(pk__in=person_ids, show_influence=True, is_active=True)
        self.named = {p.pk: p.display_name for p in people}

    def __call__(self, person_id: Any) -> str:
        return self.named.get(person_id) or _("a member")


def as_json(value: Any) -> str:
    return "" if value in (None, {}, []) else json.dumps(value, ensure_ascii=False, default=str)


def how_of(result: dict[str, Any] | None) -> How | None:
    if not isinstance(result, dict) or "method" not in result:
        return None
    return How(
        name=str(result.get("name", "")),
        method=str(result.get("method", "")),
        parameters=as_json(result.get("parameters")),
        denominator=as_json(result.get("denominator")),
        note=str(result.get("note") or ""),
    )


def is_ok(result: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(result, dict) and result.get("status") == "ok"


def missing(result: Any) -> str:
    if isinstance(result, dict) and result.get("status") == "error":
        return _("This figure could not be computed: %(error)s") % {"error": result.get("error")}
    if isinstance(result, dict) and result.get("note"):
        return str(result["note"])
    return _("not enough data")


def rounded(value: Any, digits: int = 3) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def shown(value: Any, digits: int = 3) -> str:
    """A figure for a sentence: rounded, or "—" when there is none."""
    return "—" if value is None else str(rounded(value, digits))


def report_section(report: dict[str, Any], name: str) -> Any:
    return report.get("sections", {}).get(name) or {}


def profile_label(profile: str) -> str:
    labels = {
        "enthusiast": _("enthusiasts"),
        "show_off": _("show-offs"),
        "shy": _("the shy"),
        "indifferent": _("the indifferent"),
        "blase": _("the blasé"),
        "other": _("others"),
    }
    return labels.get(profile, profile)


def group_label(by: str, group: Any, space_names: dict[int, str]) -> str:
    if by != "space":
        return str(group)
    try:
        return space_names.get(int(group), str(group))
    except (TypeError, ValueError):
        return str(group)

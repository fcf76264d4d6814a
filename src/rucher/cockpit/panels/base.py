"""What every cockpit panel is made of: tables, charts, and "how it was computed", with the
small helpers that turn the engine's results into them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeGuard

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from rucher.cockpit.methods import method_words
from rucher.conversations.models import Content
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


@dataclass(frozen=True)
class Link:
    """A table cell that links somewhere: the page shows ``text`` as a link, the CSV the text."""

    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Shown:
    """A figure as the reader sees it ("12,9 %", "6 septembre 2026") with the value a
    spreadsheet wants (0.129, "2026-09-06"): the page shows ``text``, the CSV ``value``."""

    text: str
    value: Any

    def __str__(self) -> str:
        return self.text


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


def metric_label(name: str) -> str:
    """A figure's name in words (the engine's names are codes)."""
    labels = {
        "dau": _("Members active on a day (daily mean)"),
        "wau": _("Members active over 7 days (daily mean)"),
        "mau": _("Members active over 30 days (daily mean)"),
        "stickiness": _("Stickiness (daily / 30-day active members)"),
        "active_members": _("Active members over the period"),
        "new_members": _("New members"),
        "contributions": _("Contributions (posts, questions, replies, polls)"),
        "reactions": _("Reactions"),
        "reply_rate": _("Posts and questions that got a reply"),
        "answered_share": _("Questions that got an answer"),
        "median_hours_to_first_response": _("Median time to a first reply"),
        "gini": _("Gini coefficient"),
        "lorenz": _("Lorenz curve"),
        "top_shares": _("Share of the top contributors"),
        "members_for_share": _("Members who make half of the contributions"),
        "buckets": _("Lurkers, intermittent and heavy contributors"),
        "retention": _("Newcomers' retention"),
        "new_and_inactive": _("New and inactive members"),
        "ei_index": _("E-I index"),
        "ei_per_department": _("E-I index per department"),
        "ei_department_pairs": _("Ties between pairs of departments"),
        "department_modularity": _("Modularity of the departments"),
        "weekly_todo": _("This week's to-do list"),
        "engagement.series": _("Weekly trend"),
        "nps.overall": _("NPS of all polls (each person's latest answer)"),
        "nps.estimated": _("NPS estimated from what members write"),
        "profiles": _("Motivation profiles"),
    }
    if name in labels:
        return labels[name]
    if name.startswith("nps_poll_"):
        return _("NPS of a poll")
    if name.startswith("influence"):
        return _("Influence")
    if name.startswith("profile"):
        return _("Motivation profiles")
    return _("Figure")


def number(value: Any, digits: int = 1) -> Shown:
    """A figure in the reader's locale ("1 014", "52,1"), "—" when there is none."""
    if value is None:
        return Shown("—", None)
    if isinstance(value, float) and not value.is_integer():
        text = formats.number_format(
            round(value, digits), digits, use_l10n=True, force_grouping=True
        )
        return Shown(text, value)  # the CSV keeps every digit
    return Shown(formats.number_format(int(value), 0, use_l10n=True, force_grouping=True), value)


def percent(value: Any, digits: int = 1, signed: bool = False) -> Shown:
    """A share (0.129) as a percentage in the reader's locale ("12,9 %" or "12.9 %")."""
    if value is None:
        return Shown("—", None)
    shown = formats.number_format(round(100 * float(value), digits), digits, use_l10n=True)
    if signed and value > 0:
        shown = "+" + shown
    return Shown(_("%(value)s %%") % {"value": shown}, value)


def signed(value: Any, digits: int = 1) -> Shown:
    if value is None:
        return Shown("—", None)
    shown = number(value, digits)
    return Shown(("+" if value > 0 else "") + shown.text, shown.value)


def date_pattern() -> str:
    """Day first ("6 September 2026") in every language, unless the organisation chose
    month-first English dates (``RUCHER_ENGLISH_DATES = "month-first"``: "September 6, 2026")."""
    english = (get_language() or "").startswith("en")
    if english and getattr(settings, "RUCHER_ENGLISH_DATES", "day-first") == "month-first":
        return "F j, Y"
    return "j F Y"


def day(value: Any) -> Shown:
    """A date or time as a day in the reader's language, day first ("6 septembre 2026",
    "6 September 2026": a French organisation's English readers too). Times are read in
    the server's time zone."""
    if value is None or value == "":
        return Shown("—", None)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return Shown(value, value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    if isinstance(value, date):
        return Shown(date_format(value, date_pattern()), value.isoformat())
    return Shown(str(value), value)


def people_count(n: int) -> str:
    return ngettext("%(n)s member", "%(n)s members", n) % {"n": number(n)}


def who(names: list[str], others: int) -> str:
    """Named people then the unnamed ones counted: "A, B and 2 other members"."""
    if not names:
        return _("a member") if others == 1 else people_count(others)
    if others:
        rest = ngettext("%(n)s other member", "%(n)s other members", others) % {"n": number(others)}
        names = [*names, rest]
    if len(names) == 1:
        return names[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


TITLE_WORDS = 10
_MARKUP = re.compile(r"[*_`#>\[\]()~|]+")


def first_words(text: str, words: int = TITLE_WORDS) -> str:
    """The first words of a text's first line, without Markdown signs."""
    line = next((part for part in (text or "").splitlines() if part.strip()), "")
    parts = _MARKUP.sub(" ", line).split()
    shown = " ".join(parts[:words])
    return shown + " …" if len(parts) > words else shown


def content_links(viewer: Person, ids: set[int]) -> dict[int, Link]:
    """A link to each content item the viewer may read, labelled by its first words. A
    confidential space's item is labelled by its kind only (its words would be a read to
    record; the page it links to records it)."""
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    rows = (
        Content.objects.visible_to(viewer)
        .filter(pk__in=wanted)
        .values_list("pk", "kind", "text", "space__confidential", "poll__question")
    )
    links = {}
    for pk, kind, text, confidential, question in rows:
        if confidential:
            label = {
                "question": _("a question of a confidential space"),
                "poll": _("a poll of a confidential space"),
            }.get(kind, _("a post of a confidential space"))
        else:
            label = first_words(question or text) or _("(no text)")
        links[pk] = Link(label, reverse("content", args=[pk]))
    return links


def as_json(value: Any) -> str:
    return "" if value in (None, {}, []) else json.dumps(value, ensure_ascii=False, default=str)


def denominator_words(value: Any) -> str:
    """A denominator in words: "1 057", or for the engine's dicts "this period: 90; previous
    period: 84", "87 author-space pairs" (never a raw dict)."""
    if value in (None, {}, []):
        return ""
    if isinstance(value, int | float):
        return number(value).text
    if not isinstance(value, dict):
        return str(value)
    words = {
        "current": _("this period: %(n)s"),
        "previous": _("previous period: %(n)s"),
        "author_space_pairs": _("%(n)s author-space pairs"),
        "groups": _("%(n)s groups"),
        "buckets": _("%(n)s weeks"),
        "people": _("%(n)s members"),
        "contributions": _("%(n)s contributions"),
    }
    parts = []
    for key, count in value.items():
        shown = number(count).text if isinstance(count, int | float) else str(count)
        parts.append(words[key] % {"n": shown} if key in words else f"{shown}")
    return "; ".join(parts)


def how_of(result: dict[str, Any] | None) -> How | None:
    if not isinstance(result, dict) or "method" not in result:
        return None
    return How(
        name=metric_label(str(result.get("name", ""))),
        method=method_words(str(result.get("method", ""))),
        parameters=as_json(result.get("parameters")),
        denominator=denominator_words(result.get("denominator")),
        note=method_words(str(result.get("note") or "")),
    )


def is_ok(result: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(result, dict) and result.get("status") == "ok"


_NOT_ENOUGH = re.compile(r"not enough data \(n = (\d+) < (\d+)\)")


def missing(result: Any, what: str = "") -> str:
    """Why a figure is not shown, in the reader's language: "not enough data (n = 3 < 5)",
    or with ``what`` = "answers", "not enough answers (n = 4 < 10)"."""
    if isinstance(result, dict) and result.get("status") == "error":
        return _("This figure could not be computed: %(error)s") % {"error": result.get("error")}
    note = str(result.get("note") or "") if isinstance(result, dict) else ""
    found = _NOT_ENOUGH.search(note)
    if found:
        counts = {"n": found.group(1), "k": found.group(2)}
        if what == "answers":
            return _("not enough answers (n = %(n)s < %(k)s)") % counts
        return _("not enough data (n = %(n)s < %(k)s)") % counts
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

"""Promoters and detractors: the NPS of 0–10 "recommend" polls and its estimate from texts.

Only the polls the engine knows as NPS polls are here (a choice poll's answers are option
positions, not scores); each is named by its question and links to it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rucher.cockpit import charts
from rucher.cockpit.panels.base import (
    Link,
    Panel,
    Table,
    content_links,
    first_words,
    how_of,
    is_ok,
    missing,
    number,
    people_count,
    percent,
    report_section,
)
from rucher.people.models import Person

CHART_LABEL_WORDS = 8


def _margin(result: dict[str, Any]) -> Any:
    params = result.get("parameters") or {}
    margin = params.get("margin_95")
    interval = params.get("interval_95") or [None, None]
    if margin is None and is_ok(result) and interval[0] is not None:
        margin = (interval[1] - interval[0]) / 2
    return margin


def _entry(label: str, result: dict[str, Any]) -> dict[str, Any]:
    interval = (result.get("parameters") or {}).get("interval_95") or [None, None]
    return {"label": label, "value": result["value"], "low": interval[0], "high": interval[1]}


def nps_panel(report: dict[str, Any], viewer: Person) -> Panel:
    section = report_section(report, "nps")
    panel = Panel(
        "nps",
        _("Promoters and detractors"),
        _(
            "Net Promoter Score from 0–10 polls, and an estimate from what members write; both are "
            "group figures, no individual answer or sentiment is shown."
        ),
    )
    entries, rows = [], []
    polls = section.get("polls") or {}
    links = content_links(viewer, {int(pid) for pid in polls if str(pid).isdigit()})
    for poll_id, result in polls.items():
        link = links.get(int(poll_id)) if str(poll_id).isdigit() else None
        # Only what the viewer may read is quoted (content_links applies the read policy).
        label: Link | str = link or _("a poll")
        rows.append(
            [
                label,
                number(result.get("value")),
                number(_margin(result)),
                people_count(int(result.get("denominator") or 0)),
                "" if is_ok(result) else missing(result, "answers"),
            ]
        )
        if is_ok(result):
            entries.append(_entry(first_words(str(label), CHART_LABEL_WORDS), result))
    for key, label in (
        ("overall", _("all NPS polls (each person's latest answer)")),
        ("estimated", _("estimated from what members write")),
    ):
        result = section.get(key)
        if not isinstance(result, dict):
            continue
        rows.append(
            [
                label,
                number(result.get("value")),
                number(_margin(result)),
                people_count(int(result.get("denominator") or 0)),
                "" if is_ok(result) else missing(result, "answers" if key == "overall" else ""),
            ]
        )
        if is_ok(result):
            entries.append(_entry(label, result))
        how = how_of(result)
        if how:
            how.denominator = people_count(int(result.get("denominator") or 0))
            panel.how.append(how)
    panel.tables.append(
        Table(
            "nps",
            _("NPS (± 95 % interval)"),
            [_("source"), "NPS", _("± margin"), _("answered by"), _("note")],
            rows,
        )
    )
    left_out = int(section.get("choice_polls_left_out") or 0)
    if left_out:
        panel.notes.append(
            ngettext(
                "%(n)s multiple-choice poll is left out: only 0–10 “how likely are you to "
                "recommend” polls make an NPS.",
                "%(n)s multiple-choice polls are left out: only 0–10 “how likely are you to "
                "recommend” polls make an NPS.",
                left_out,
            )
            % {"n": left_out}
        )
    if not polls:
        panel.notes.append(_("No 0–10 “how likely are you to recommend” poll in this period."))
    panel.chart = charts.nps_chart(entries, _("NPS with its 95 % interval"))
    return panel


EXTRAS: tuple[tuple[str, str], ...] = (
    ("themes", "Themes"),
    ("summaries", "Conversation summaries"),
    ("sentiment", "Estimated sentiment"),
)


def _trend_words(trend: list[dict[str, Any]]) -> str:
    """The last months' volumes, oldest first: "12 → 9 → 15"."""
    return " → ".join(str(int(month.get("items") or 0)) for month in trend)


def _themes_table(section: dict[str, Any]) -> Table:
    rows = []
    for theme in section["themes"]:
        mood = theme.get("sentiment") or {}
        rows.append(
            [
                str(theme.get("label", "")),
                number(theme.get("items"), 0),
                percent(theme.get("share")),
                _trend_words(theme.get("trend") or []),
                number(mood.get("mean"), 2) if mood.get("mean") is not None else _("too few"),
            ]
        )
    return Table(
        "themes",
        _("Themes of the period"),
        [
            _("theme (its main words)"),
            _("items"),
            _("share"),
            _("items per month (oldest first)"),
            _("mean sentiment (−1 to +1)"),
        ],
        rows,
    )


def opinion_extras_panel(report: dict[str, Any]) -> Panel:
    """The slot where themes, conversation summaries and per-item sentiment render once the
    engine computes them (issue 15, items 4–6): until then it says so. Each section found
    brings its "how it was computed"; its rows are rendered by the module that owns it."""
    panel = Panel(
        "themes",
        _("Themes and conversation summaries"),
        _(
            "What people talk about (themes from the organisation's own texts, with example "
            "posts) and short summaries of the busiest conversations, for your weekly report."
        ),
    )
    sections = report.get("sections") or {}
    themes = sections.get("themes")
    if is_ok(themes) and themes.get("themes"):
        panel.tables.append(_themes_table(themes))
    found = [key for key, _label in EXTRAS if key in sections]
    for key in found:
        result = sections[key]
        how = how_of(result) if isinstance(result, dict) else None
        if how:
            panel.how.append(how)
        elif isinstance(result, dict) and not is_ok(result) and "status" in result:
            panel.notes.append(missing(result))
    if not found:
        panel.notes.append(
            _("Themes and summaries will appear here once the engine computes them.")
        )
    return panel

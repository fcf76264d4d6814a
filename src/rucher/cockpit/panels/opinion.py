"""Promoters and detractors: the NPS of 0–10 polls and its estimate from texts."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from rucher.cockpit import charts
from rucher.cockpit.panels.base import (
    Panel,
    Table,
    how_of,
    is_ok,
    missing,
    report_section,
    rounded,
)


def nps_panel(report: dict[str, Any]) -> Panel:
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
    for poll_id, result in polls.items():
        params = result.get("parameters") or {}
        interval = params.get("interval_95") or [None, None]
        rows.append(
            [
                _("poll %(id)s") % {"id": poll_id},
                rounded(result.get("value"), 1),
                rounded(params.get("margin_95"), 1),
                result.get("denominator"),
                "" if is_ok(result) else missing(result),
            ]
        )
        if is_ok(result):
            entries.append(
                {
                    "label": f"poll {poll_id}",
                    "value": result["value"],
                    "low": interval[0],
                    "high": interval[1],
                }
            )
    for key, label in (
        ("overall", _("all polls (latest answer)")),
        ("estimated", _("estimated from text")),
    ):
        result = section.get(key)
        if not isinstance(result, dict):
            continue
        params = result.get("parameters") or {}
        interval = params.get("interval_95") or [None, None]
        margin = params.get("margin_95")
        if margin is None and is_ok(result) and interval[0] is not None:
            margin = (interval[1] - interval[0]) / 2
        rows.append(
            [
                label,
                rounded(result.get("value"), 1),
                rounded(margin, 1),
                result.get("denominator"),
                "" if is_ok(result) else missing(result),
            ]
        )
        if is_ok(result):
            entries.append(
                {"label": label, "value": result["value"], "low": interval[0], "high": interval[1]}
            )
        how = how_of(result)
        if how:
            panel.how.append(how)
    panel.tables.append(
        Table(
            "nps",
            _("NPS (± 95 % interval)"),
            [_("source"), "NPS", _("± margin"), _("answers or people"), _("note")],
            rows,
        )
    )
    panel.chart = charts.nps_chart(entries, _("NPS with its 95 % interval"))
    return panel

"""Who takes part and how: engagement, participation inequality, motivation profiles."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from rucher.cockpit import charts
from rucher.cockpit.panels.base import (
    KPIS,
    MAX_ROWS,
    PROFILE_NAMES,
    Panel,
    Shown,
    Table,
    day,
    group_label,
    how_of,
    is_ok,
    metric_label,
    missing,
    number,
    percent,
    profile_label,
    report_section,
    signed,
)
from rucher.spaces.models import Space

COUNTS_MEAN = frozenset({"dau", "wau", "mau"})
RATIOS = frozenset({"stickiness", "reply_rate", "answered_share"})
HOURS = frozenset({"median_hours_to_first_response"})


def figure_of(metric: str, value: Any) -> Shown:
    if metric in RATIOS:
        return percent(value)
    if metric in HOURS:
        hours = number(value)
        if value is None:
            return hours
        return Shown(_("%(value)s h") % {"value": hours}, hours.value)
    return number(value, 1 if metric in COUNTS_MEAN else 0)


def _change(metric: str, value: Any) -> Shown:
    if value is None:
        return Shown("—", None)
    if metric in RATIOS:  # a change of a share is in percentage points
        points = signed(100 * value)
        return Shown(_("%(value)s pts") % {"value": points}, points.value)
    if metric in HOURS:
        hours = signed(value)
        return Shown(_("%(value)s h") % {"value": hours}, hours.value)
    return signed(value, 1 if metric in COUNTS_MEAN else 0)


def denominator_sentence(metric: str, denominator: Any) -> str:
    """What a figure is counted over, as a sentence: "out of 1,014 posts and questions"."""
    if not isinstance(denominator, dict) or denominator.get("current") is None:
        return ""
    n = number(denominator["current"], 0)
    sentences = {
        "dau": _("mean over %(n)s days"),
        "wau": _("mean over %(n)s days"),
        "mau": _("mean over %(n)s days"),
        "stickiness": _("out of %(n)s members active over 30 days (daily mean)"),
        "reply_rate": _("out of %(n)s posts and questions"),
        "answered_share": _("out of %(n)s questions"),
        "median_hours_to_first_response": _("over %(n)s posts and questions that got a reply"),
    }
    return sentences[metric] % {"n": n} if metric in sentences else ""


def engagement_panel(report: dict[str, Any], previous: dict[str, Any] | None = None) -> Panel:
    section = report_section(report, "engagement")
    panel = Panel(
        "engagement",
        _("Engagement"),
        _(
            "How many people take part and how conversations get answers, counted from the event "
            "log over everyone in scope; no individual is shown."
        ),
    )
    rows = []
    for metric in KPIS:
        result = section.get(metric)
        if not isinstance(result, dict):
            continue
        value = result.get("value") if is_ok(result) else None
        value = value or {}
        rows.append(
            [
                metric_label(metric),
                figure_of(metric, value.get("current")),
                figure_of(metric, value.get("previous")),
                _change(metric, value.get("change")),
                percent(value.get("relative_change"), signed=True),
                denominator_sentence(metric, result.get("denominator"))
                if is_ok(result)
                else missing(result),
            ]
        )
        how = how_of(result)
        if how:
            how.denominator = denominator_sentence(metric, result.get("denominator"))
            panel.how.append(how)
    panel.tables.append(
        Table(
            "kpis",
            _("Key figures, this period vs the previous one"),
            [
                _("figure"),
                _("this period"),
                _("previous period"),
                _("change"),
                _("relative change"),
                _("counted over"),
            ],
            rows,
        )
    )
    series = report_section(report, "engagement_series")
    if is_ok(series):
        values = series["value"]
        before = report_section(previous or {}, "engagement_series")
        panel.chart = charts.trend_chart(
            values,
            {
                "active_members": _("active members"),
                "contributions": _("contributions"),
                "reactions": _("reactions"),
                "new_members": _("new members"),
            },
            _("Weekly trend, dotted: the previous period (first and last weeks may be partial)"),
            before["value"] if is_ok(before) else None,
        )
        panel.tables.append(
            Table(
                "weekly",
                _("Per week"),
                [
                    _("week starting"),
                    _("active members"),
                    _("new members"),
                    _("contributions"),
                    _("reactions"),
                ],
                [
                    [
                        day(r["bucket"]),
                        r["active_members"],
                        r["new_members"],
                        r["contributions"],
                        r["reactions"],
                    ]
                    for r in values
                ],
            )
        )
        how = how_of(series)
        if how:
            panel.how.append(how)
    return panel


def inequality_panel(report: dict[str, Any]) -> Panel:
    section = report_section(report, "inequality")
    panel = Panel(
        "inequality",
        _("Participation inequality"),
        _(
            "How evenly contributions are spread among members (registered and active), to see "
            "whether a few people carry the conversation; no individual is shown."
        ),
    )
    rows: list[list[Any]] = []
    populations = {"registered": _("registered members"), "active": _("active members")}
    for population, label in populations.items():
        results = section.get(population) or {}
        gini = results.get("gini")
        if not is_ok(gini):
            rows.append([label, None, None, None, None, None, None, None, missing(gini)])
            continue
        top = results["top_shares"]["value"] if is_ok(results.get("top_shares")) else {}
        share = (
            results["members_for_share"]["value"] if is_ok(results.get("members_for_share")) else {}
        )
        denominator = gini.get("denominator") or {}
        rows.append(
            [
                label,
                number(denominator.get("people")),
                number(denominator.get("contributions")),
                number(gini["value"], 2),
                percent(top.get("top_1%")),
                percent(top.get("top_3%")),
                percent(top.get("top_10%")),
                percent((share.get("50%") or {}).get("share_of_members")),
                "",
            ]
        )
        for key in ("gini", "lorenz", "top_shares", "members_for_share", "buckets"):
            how = how_of(results.get(key))
            if how is not None and (population == "registered" or key == "gini"):
                how.denominator = _population_sentence(population, results.get(key))
                panel.how.append(how)
    panel.tables.append(
        Table(
            "inequality",
            _("Gini and top shares per population"),
            [
                _("population"),
                _("members (denominator)"),
                _("contributions"),
                "Gini",
                _("top 1 % share"),
                _("top 3 % share"),
                _("top 10 % share"),
                _("share of members making 50 %"),
                _("note"),
            ],
            rows,
        )
    )
    lorenz = (section.get("registered") or {}).get("lorenz")
    gini = (section.get("registered") or {}).get("gini")
    if is_ok(lorenz):
        panel.chart = charts.lorenz_chart(
            lorenz["value"],
            gini.get("value") if is_ok(gini) else None,
            _("Lorenz curve, registered members"),
        )
    else:
        panel.notes.append(missing(lorenz))
    return panel


def _population_sentence(population: str, result: Any) -> str:
    denominator = (result or {}).get("denominator") if isinstance(result, dict) else None
    if not isinstance(denominator, dict) or denominator.get("people") is None:
        return ""
    counts = {
        "n": number(denominator["people"]),
        "c": number(denominator.get("contributions") or 0),
    }
    if population == "registered":
        return _("%(c)s contributions of %(n)s registered members") % counts
    return _("%(c)s contributions of %(n)s active members") % counts


def profiles_panel(report: dict[str, Any]) -> Panel:
    section = report_section(report, "profiles")
    panel = Panel(
        "profiles",
        _("Motivation profiles"),
        _(
            "How many members fit each motivation profile, to choose how to animate; shown only "
            "for groups of at least 5 people, and small counts are hidden so nobody is singled "
            "out."
        ),
    )
    rows = []
    space_names = dict(Space.objects.values_list("id", "name"))
    for by, label in (
        ("community", _("everyone")),
        ("department", _("department")),
        ("space", _("space")),
    ):
        groups = ((section.get(by) or {}).get("groups")) or {}
        for group, result in groups.items():
            shown = (
                label
                if group in ("None", None)
                else f"{label}: {group_label(by, group, space_names)}"
            )
            if not is_ok(result):
                rows.append(
                    [
                        shown,
                        result.get("denominator"),
                        *([None] * len(PROFILE_NAMES)),
                        missing(result),
                    ]
                )
                continue
            value = result["value"]
            rows.append(
                [
                    shown,
                    result.get("denominator"),
                    *[
                        value.get(p) if value.get(p) is not None else _("hidden (< 5)")
                        for p in PROFILE_NAMES
                    ],
                    "",
                ]
            )
            if by == "community":
                panel.chart = charts.bar_chart(
                    [profile_label(p) for p in PROFILE_NAMES],
                    [value.get(p) for p in PROFILE_NAMES],
                    _("Members per profile"),
                    _("members"),
                )
                how = how_of(result)
                if how:
                    panel.how.append(how)
    panel.tables.append(
        Table(
            "profiles",
            _("Members per profile and group"),
            [_("group"), _("members"), *[profile_label(p) for p in PROFILE_NAMES], _("note")],
            rows[:MAX_ROWS],
        )
    )
    return panel

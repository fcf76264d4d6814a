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
    Table,
    as_json,
    group_label,
    how_of,
    is_ok,
    missing,
    profile_label,
    report_section,
    rounded,
)
from rucher.spaces.models import Space


def engagement_panel(report: dict[str, Any]) -> Panel:
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
                metric,
                rounded(value.get("current")),
                rounded(value.get("previous")),
                rounded(value.get("change")),
                rounded(value.get("relative_change")),
                as_json(result.get("denominator")),
            ]
        )
        how = how_of(result)
        if how:
            panel.how.append(how)
    panel.tables.append(
        Table(
            "kpis",
            _("Key figures, this period vs the previous one"),
            [
                _("metric"),
                _("this period"),
                _("previous period"),
                _("change"),
                _("relative change"),
                _("denominator"),
            ],
            rows,
        )
    )
    series = report_section(report, "engagement_series")
    if is_ok(series):
        values = series["value"]
        panel.chart = charts.trend_chart(
            values,
            {
                "active_members": _("active members"),
                "contributions": _("contributions"),
                "reactions": _("reactions"),
                "new_members": _("new members"),
            },
            _("Weekly trend (first and last weeks may be partial)"),
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
                        r["bucket"][:10],
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
    rows = []
    for population in ("registered", "active"):
        results = section.get(population) or {}
        gini = results.get("gini")
        if not is_ok(gini):
            rows.append([population, None, None, None, None, None, None, None, missing(gini)])
            continue
        top = results["top_shares"]["value"] if is_ok(results.get("top_shares")) else {}
        share = (
            results["members_for_share"]["value"] if is_ok(results.get("members_for_share")) else {}
        )
        denominator = gini.get("denominator") or {}
        rows.append(
            [
                population,
                denominator.get("people"),
                denominator.get("contributions"),
                rounded(gini["value"]),
                rounded(top.get("top_1%")),
                rounded(top.get("top_3%")),
                rounded(top.get("top_10%")),
                rounded((share.get("50%") or {}).get("share_of_members")),
                "",
            ]
        )
        for key in ("gini", "lorenz", "top_shares", "members_for_share", "buckets"):
            how = how_of(results.get(key))
            if how is not None and (population == "registered" or key == "gini"):
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

"""Cadence vs audience: do authors who publish regularly reach more people? With its caveat
(correlation is not cause), in words; authors are named only where they allowed it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from rucher.cockpit import charts
from rucher.cockpit.panels.base import (
    MAX_ROWS,
    Names,
    Panel,
    Table,
    how_of,
    is_ok,
    missing,
    number,
    percent,
    report_section,
)

FEATURES: tuple[str, ...] = ("weekly_share", "gap_cv", "active_weeks", "posts")


def feature_label(feature: str) -> str:
    return {
        "weekly_share": _("share of weeks with a post"),
        "gap_cv": _("irregularity of the gaps between posts (lower = more regular)"),
        "active_weeks": _("weeks with a post"),
        "posts": _("number of posts (volume)"),
    }.get(feature, _("Figure"))


def short_label(feature: str) -> str:
    return {
        "weekly_share": _("weeks with a post (share)"),
        "gap_cv": _("irregularity"),
        "active_weeks": _("weeks with a post"),
        "posts": _("volume"),
    }.get(feature, _("Figure"))


def strength(rho: float) -> str:
    """A rank correlation in words (Cohen's usual thresholds)."""
    size = abs(rho)
    if size < 0.1:
        return _("no link")
    if size < 0.3:
        return _("a weak link") if rho > 0 else _("a weak inverse link")
    if size < 0.5:
        return _("a moderate link") if rho > 0 else _("a moderate inverse link")
    return _("a strong link") if rho > 0 else _("a strong inverse link")


def correlation_sentence(feature: str, result: dict[str, Any], partial: bool) -> str:
    value = result.get("value") or {}
    rho = float(value.get("rho") or 0.0)
    counts = {
        "feature": feature_label(feature),
        "strength": strength(rho),
        "rho": number(rho, 2).text,
        "low": number(value.get("ci_low"), 2).text,
        "high": number(value.get("ci_high"), 2).text,
        "n": number(value.get("n")).text,
    }
    if partial:
        return (
            _(
                "Between the %(feature)s and the audience, at equal volume: %(strength)s "
                "(ρ = %(rho)s, 95 %% interval %(low)s to %(high)s, %(n)s author-space pairs)."
            )
            % counts
        )
    return (
        _(
            "Between the %(feature)s and the audience: %(strength)s (ρ = %(rho)s, 95 %% interval "
            "%(low)s to %(high)s, %(n)s author-space pairs)."
        )
        % counts
    )


def cadence_panel(report: dict[str, Any], spaces: dict[int, str]) -> Panel:
    section = report_section(report, "cadence")
    panel = Panel(
        "cadence",
        _("Publishing cadence and audience"),
        _(
            "Whether authors who post regularly reach more people (replies, reactions, reads, "
            "shares of their posts by others), per author and space; an author is named only if "
            "their profile setting allows it."
        ),
    )
    panel.notes.append(
        _(
            "Caution: correlation is not cause. Volume drives both regularity and audience, an "
            "audience can make an author regular rather than the reverse, and authors are not "
            "independent draws. Read these figures as a hint, not as proof."
        )
    )
    if not isinstance(section, dict) or section.get("status") in ("error", "not_enough_data"):
        panel.notes.append(missing(section))
        return panel
    rows, bars, labels = [], [], []
    for feature in FEATURES:
        for kind in ("spearman", "partial"):
            result = section.get(f"{kind}.{feature}")
            if not isinstance(result, dict):
                continue
            if kind == "spearman":
                how = how_of(result)
                if how:
                    panel.how.append(how)
            if is_ok(result):
                sentence = correlation_sentence(feature, result, kind == "partial")
                rho = (result.get("value") or {}).get("rho")
                if kind == "spearman":
                    labels.append(short_label(feature))
                    bars.append(rho)
            else:
                sentence = missing(result)
                rho = None
            rows.append(
                [
                    feature_label(feature),
                    _("at equal volume") if kind == "partial" else _("raw"),
                    number(rho, 2),
                    sentence,
                ]
            )
    panel.tables.append(
        Table(
            "cadence",
            _("Regularity and audience: rank correlations"),
            [_("regularity measure"), _("comparison"), "ρ (−1 … +1)", _("in words")],
            rows,
        )
    )
    partial = section.get("partial.weekly_share")
    if is_ok(partial):
        rho = float((partial.get("value") or {}).get("rho") or 0.0)
        panel.notes.insert(
            0,
            (
                _(
                    "In short, at equal volume, between posting in more weeks and the "
                    "audience: %(strength)s (ρ = %(rho)s)."
                )
                % {"strength": strength(rho), "rho": number(rho, 2).text}
            ),
        )
    if bars:
        panel.chart = charts.bar_chart(
            labels,
            bars,
            _("Rank correlation with the audience (−1 to +1)"),
            "ρ",
            horizontal=True,
        )
    table = section.get("table")
    if is_ok(table):
        pairs = sorted(table["value"], key=lambda r: -int(r.get("audience") or 0))[:MAX_ROWS]
        name = Names({int(r["author_id"]) for r in pairs})
        panel.tables.append(
            Table(
                "cadence_authors",
                _("Authors and their audience (most followed first)"),
                [
                    _("author"),
                    _("space"),
                    _("posts"),
                    _("weeks with a post"),
                    _("share of weeks with a post"),
                    _("irregularity of the gaps"),
                    _("audience (distinct people)"),
                ],
                [
                    [
                        name(r["author_id"]),
                        spaces.get(int(r["space_id"]), _("a space"))
                        if r.get("space_id") is not None
                        else "—",
                        number(r.get("posts")),
                        number(r.get("active_weeks")),
                        percent(r.get("weekly_share")),
                        number(r.get("gap_cv"), 2),
                        number(r.get("audience")),
                    ]
                    for r in pairs
                ],
            )
        )
    return panel

"""The overview: the 6–8 figures that matter this period, each with its weekly trend (this
period and, dashed, the previous one), its change against the previous period in words and
a link to the page that explains it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rucher.cockpit.panels.animation import alert_title
from rucher.cockpit.panels.base import (
    Panel,
    Shown,
    Table,
    is_ok,
    metric_label,
    missing,
    number,
    percent,
    report_section,
)
from rucher.cockpit.panels.participation import RATIOS, denominator_sentence, figure_of

# The engagement figures on the overview, and the weekly series column that draws their trend.
FIGURES: tuple[tuple[str, str | None], ...] = (
    ("active_members", "active_members"),
    ("new_members", "new_members"),
    ("contributions", "contributions"),
    ("reply_rate", None),
    ("answered_share", None),
    ("median_hours_to_first_response", None),
)
STABLE = 0.02  # a relative change under 2 % reads as "stable"
SPARK_WIDTH, SPARK_HEIGHT = 160, 40


@dataclass
class Figure:
    key: str
    label: str
    value: Shown
    change: str
    counted_over: str
    page: str  # the slug of the page that explains it
    trend: SafeString | str = ""
    trend_text: str = ""


def change_sentence(metric: str, value: dict[str, Any]) -> str:
    """ "up 12.5 % on the previous period (80)", in the reader's language."""
    current, previous = value.get("current"), value.get("previous")
    if current is None or previous is None:
        return _("no previous period to compare with")
    before = figure_of(metric, previous).text
    if metric in RATIOS:
        points = 100 * (float(current) - float(previous))
        if abs(points) < 0.5:
            return _("stable against the previous period (%(before)s)") % {"before": before}
        amount = number(abs(points)).text
        if points > 0:
            return _("up %(n)s points on the previous period (%(before)s)") % {
                "n": amount,
                "before": before,
            }
        return _("down %(n)s points on the previous period (%(before)s)") % {
            "n": amount,
            "before": before,
        }
    relative = value.get("relative_change")
    if relative is None:
        if float(current) == float(previous):
            return _("stable against the previous period (%(before)s)") % {"before": before}
        if float(current) > float(previous):
            return _("up on the previous period (%(before)s)") % {"before": before}
        return _("down on the previous period (%(before)s)") % {"before": before}
    if abs(relative) < STABLE:
        return _("stable against the previous period (%(before)s)") % {"before": before}
    amount = percent(abs(relative), 0).text
    if relative > 0:
        return _("up %(n)s on the previous period (%(before)s)") % {"n": amount, "before": before}
    return _("down %(n)s on the previous period (%(before)s)") % {"n": amount, "before": before}


def sparkline(current: list[float], previous: list[float], text: str) -> SafeString:
    """A small inline SVG: this period's weekly values, the previous period's dashed."""
    values = [v for v in (*current, *previous) if v is not None]
    if len(current) < 2 or not values:
        return mark_safe("")
    top = max(values) or 1.0

    def points(series: list[float]) -> str:
        step = SPARK_WIDTH / max(len(series) - 1, 1)
        return " ".join(
            f"{i * step:.1f},{SPARK_HEIGHT - 2 - (SPARK_HEIGHT - 4) * float(v) / top:.1f}"
            for i, v in enumerate(series)
        )

    lines = []
    if len(previous) >= 2:
        lines.append(f'<polyline class="previous" points="{points(previous)}"/>')
    lines.append(f'<polyline class="current" points="{points(current)}"/>')
    return mark_safe(
        f'<svg class="sparkline" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" role="img" '
        f'aria-label="{escape(text)}" preserveAspectRatio="none">{"".join(lines)}</svg>'
    )


def _column(series: Any, column: str) -> list[float]:
    if not is_ok(series):
        return []
    return [float(row.get(column) or 0) for row in series["value"]]


def overview_figures(report: dict[str, Any], previous: dict[str, Any] | None) -> list[Figure]:
    engagement = report_section(report, "engagement")
    series = report_section(report, "engagement_series")
    before = report_section(previous or {}, "engagement_series")
    figures = []
    for metric, column in FIGURES:
        result = engagement.get(metric)
        if not isinstance(result, dict):
            continue
        if not is_ok(result):
            figures.append(
                Figure(metric, metric_label(metric), Shown("—", None), missing(result), "", "")
            )
            continue
        value = result.get("value") or {}
        counted_over = denominator_sentence(metric, result.get("denominator"))
        people = (report.get("data") or {}).get("people")
        if metric == "active_members" and isinstance(people, int):
            counted_over = _("out of %(n)s registered members") % {"n": number(people).text}
        figure = Figure(
            metric,
            metric_label(metric),
            figure_of(metric, value.get("current")),
            change_sentence(metric, value),
            counted_over,
            "engagement",
        )
        if column:
            now, then = _column(series, column), _column(before, column)
            listed = ", ".join(number(v, 0).text for v in now)
            figure.trend_text = _("Per week this period: %(now)s.") % {"now": listed}
            if then:
                figure.trend_text += " " + _("Previous period: %(then)s.") % {
                    "then": ", ".join(number(v, 0).text for v in then)
                }
            figure.trend = sparkline(now, then, figure.trend_text)
        figures.append(figure)
    figures.append(_nps_figure(report_section(report, "nps")))
    figures.append(_alerts_figure(report_section(report, "health")))
    return figures


def _nps_figure(section: Any) -> Figure:
    overall = section.get("overall") if isinstance(section, dict) else None
    label = _("Net Promoter Score (0–10 recommendation polls)")
    if not is_ok(overall):
        text = (
            missing(overall, "answers")
            if isinstance(overall, dict)
            else _("No 0–10 “how likely are you to recommend” poll in this period.")
        )
        return Figure("nps", label, Shown("—", None), text, "", "opinion")
    answered = int(overall.get("denominator") or 0)
    return Figure(
        "nps",
        label,
        number(overall.get("value"), 0),
        _("from −100 (all detractors) to +100 (all promoters)"),
        ngettext(
            "each person's latest answer, %(n)s person",
            "each person's latest answer, %(n)s people",
            answered,
        )
        % {"n": number(answered).text},
        "opinion",
    )


def _alerts_figure(section: Any) -> Figure:
    alerts = section.get("alerts") if isinstance(section, dict) else None
    alerts = alerts if isinstance(alerts, list) else []
    kinds = Counter(str(a.get("kind", "")) for a in alerts)
    top = [f"{alert_title(kind).lower()} ({n})" for kind, n in kinds.most_common(3)]
    return Figure(
        "alerts",
        _("Alerts to look at"),
        number(len(alerts)),
        (_("mostly: %(kinds)s") % {"kinds": ", ".join(top)}) if top else _("nothing to report"),
        _("as of the period's last day"),
        "attention",
    )


def figures_panel(figures: list[Figure]) -> Panel:
    """The overview's figures as a table: their text alternative, and their CSV export."""
    return Panel(
        "summary",
        _("The same figures as a table"),
        _("Every figure of the cards above with its change in words, to copy or export."),
        tables=[
            Table(
                "overview",
                _("This period's figures"),
                [_("figure"), _("this period"), _("change"), _("counted over")],
                [[f.label, f.value, f.change, f.counted_over] for f in figures],
            )
        ],
    )

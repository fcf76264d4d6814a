"""Plotly figures rendered to HTML fragments: an empty ``div`` and the figure as a JSON data
block, which ``static/cockpit/charts.js`` draws with the vendored plotly.min.js (loaded once
per page). No inline script: the Content-Security-Policy allows none (docs/deploy.md).
Every builder returns "" when there is nothing to draw, so a template can show its "not
enough data" note instead of an empty chart."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from plotly.utils import PlotlyJSONEncoder

_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
CONFIG = {"displaylogo": False, "responsive": True}
LAYOUT: dict[str, Any] = {
    "margin": {"l": 50, "r": 20, "t": 40, "b": 50},
    "height": 320,
    "template": "plotly_white",
    "font": {"family": "system-ui, sans-serif", "size": 13},
}


def _html(figure: go.Figure, title: str, alt: str = "", wide: bool = False) -> SafeString:
    # A chart that set its own height (the heatmap: one row per department) keeps it.
    layout = {k: v for k, v in LAYOUT.items() if k != "height" or figure.layout.height is None}
    figure.update_layout(title={"text": title}, **layout)
    figure_json = figure.to_plotly_json()
    payload = {"data": figure_json["data"], "layout": figure_json["layout"], "config": CONFIG}
    # Plotly's encoder knows NumPy arrays and dates; then the three characters that could
    # end the data block or open markup are escaped (as Django's json_script does).
    text = json.dumps(payload, cls=PlotlyJSONEncoder, separators=(",", ":"))
    text = text.translate(_JSON_SCRIPT_ESCAPES)
    element_id = f"chart-{uuid.uuid4().hex[:12]}"
    # The text alternative: what the chart shows in a sentence, and where its figures are.
    alt = alt or _("%(title)s. The same figures are in the table below.") % {"title": title}
    return mark_safe(
        f'<div class="chart{" wide" if wide else ""}" id="{element_id}" role="img" '
        f'aria-label="{escape(alt)}"></div>'
        f'<p class="chart-alt">{escape(alt)}</p>'
        f'<script type="application/json" class="plotly-figure" data-target="{element_id}">'
        f"{text}</script>"
    )


PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def trend_chart(
    series: Sequence[dict[str, Any]],
    metrics: dict[str, str],
    title: str,
    previous: Sequence[dict[str, Any]] | None = None,
) -> str:
    """One line per metric (key -> label) over the buckets of ``engagement_series``; with
    ``previous`` (the previous period's buckets), the same metric dotted in the same colour,
    week for week (the previous period's first week under this period's first week)."""
    if not series:
        return ""
    x = [row["bucket"] for row in series]
    figure = go.Figure()
    for (key, label), colour in zip(metrics.items(), PALETTE, strict=False):
        figure.add_trace(
            go.Scatter(
                x=x,
                y=[row.get(key, 0) for row in series],
                name=label,
                mode="lines+markers",
                line={"color": colour},
                legendgroup=key,
            )
        )
        if previous:
            weeks = min(len(previous), len(x))
            figure.add_trace(
                go.Scatter(
                    x=x[:weeks],
                    y=[row.get(key, 0) for row in previous[:weeks]],
                    name=_("%(label)s, previous period") % {"label": label},
                    mode="lines",
                    line={"color": colour, "dash": "dot", "width": 1.5},
                    legendgroup=key,
                    customdata=[row["bucket"] for row in previous[:weeks]],
                    hovertemplate="%{customdata|%d/%m/%Y}: %{y}<extra>%{fullData.name}</extra>",
                )
            )
    figure.update_layout(
        xaxis_title=_("week starting"),
        xaxis={"tickformat": "%d/%m", "hoverformat": "%d/%m/%Y"},
        # Under the axis title, not on it.
        legend={"orientation": "h", "yanchor": "top", "y": -0.32, "x": 0},
        margin={"l": 50, "r": 20, "t": 40, "b": 140 if previous else 100},
        height=420 if previous else 360,
    )
    return _html(figure, title)


def lorenz_chart(points: Sequence[Sequence[float]], gini: float | None, title: str) -> str:
    if not points:
        return ""
    x = [float(p[0]) for p in points]
    y = [float(p[1]) for p in points]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            name=_("perfect equality"),
            mode="lines",
            line={"dash": "dash", "color": "#888"},
        )
    )
    label = _("contributions") if gini is None else _("contributions (Gini %(g).2f)") % {"g": gini}
    figure.add_trace(go.Scatter(x=x, y=y, name=label, mode="lines", fill="tonexty"))
    # The 90-9-1 rule of thumb: 90 % of members lurk, 9 % contribute now and then, 1 % make
    # most of the content. Vertical marks at 90 % and 99 % of members, each with the share of
    # contributions the curve reaches there.
    for mark, text in ((0.90, _("90 % of members")), (0.99, _("99 % of members"))):
        reached = _interpolate(x, y, mark)
        figure.add_vline(x=mark, line={"dash": "dot", "color": "#555", "width": 1})
        figure.add_annotation(
            x=mark,
            y=reached,
            text=_("%(who)s:<br>%(share)s of contributions")
            % {"who": text, "share": f"{round(100 * reached)} %"},
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            xshift=-4,
            yshift=4 if mark < 0.95 else 30,
            align="right",
            font={"size": 11},
            bgcolor="rgba(255,255,255,0.85)",
        )
    figure.update_layout(
        xaxis_title=_("share of members, least contributing first"),
        yaxis_title=_("share of contributions"),
        xaxis={"tickformat": ".0%", "range": [0, 1.01]},
        yaxis={"tickformat": ".0%", "range": [0, 1.02]},
        legend={"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0},
        margin={"l": 50, "r": 20, "t": 40, "b": 110},
        height=400,
    )
    alt = _(
        "%(title)s: the least contributing 90 %% of members make %(a)s %% of the contributions, "
        "the least contributing 99 %% make %(b)s %%; the top 1 %% make the rest."
    ) % {
        "title": title,
        "a": round(100 * _interpolate(x, y, 0.90)),
        "b": round(100 * _interpolate(x, y, 0.99)),
    }
    return _html(figure, title, alt)


def _interpolate(x: Sequence[float], y: Sequence[float], at: float) -> float:
    """The curve's height at ``at`` (linear between its points)."""
    for (x0, y0), (x1, y1) in zip(
        zip(x, y, strict=True), zip(x[1:], y[1:], strict=True), strict=False
    ):
        if x0 <= at <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (at - x0) / (x1 - x0)
    return y[-1] if y else 0.0


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    title: str,
    axis: str = "",
    horizontal: bool = False,
) -> str:
    """Bars; ``horizontal`` for long labels (each on its own line, read left to right)."""
    shown = [
        (label, value) for label, value in zip(labels, values, strict=True) if value is not None
    ]
    if not shown:
        return ""
    if horizontal:
        figure = go.Figure(
            go.Bar(y=[s[0] for s in shown], x=[s[1] for s in shown], orientation="h")
        )
        figure.update_layout(
            xaxis_title=axis,
            yaxis={"autorange": "reversed", "automargin": True},
            height=max(240, 50 * len(shown) + 120),
        )
        return _html(figure, title)
    figure = go.Figure(go.Bar(x=[s[0] for s in shown], y=[s[1] for s in shown]))
    figure.update_layout(yaxis_title=axis)
    return _html(figure, title)


def nps_chart(entries: Sequence[dict[str, Any]], title: str) -> str:
    """One point per NPS figure (poll or estimate) with its 95 % interval as error bars, one
    row each: the labels (a poll's question) read across, wrapped, on a phone too, where
    slanted labels under the axis were cut after thirty characters."""
    usable = [e for e in entries if e.get("value") is not None]
    if not usable:
        return ""
    values = [float(e["value"]) for e in usable]
    low = [v - float(e.get("low", v)) for v, e in zip(values, usable, strict=True)]
    high = [float(e.get("high", v)) - v for v, e in zip(values, usable, strict=True)]
    labels = [wrapped(str(e["label"])) for e in usable]
    figure = go.Figure(
        go.Scatter(
            x=values,
            y=labels,
            mode="markers",
            marker={"size": 12},
            error_x={"type": "data", "symmetric": False, "array": high, "arrayminus": low},
        )
    )
    lines = sum(label.count("<br>") + 1 for label in labels)
    figure.update_layout(
        xaxis={"range": [-100, 100], "title": "NPS", "zeroline": True},
        yaxis={"automargin": True, "autorange": "reversed"},
        height=110 + 24 * lines + 16 * len(labels),
    )
    return _html(figure, title)


LABEL_LINE = 24  # characters per line of a chart's category label


def wrapped(label: str, width: int = LABEL_LINE) -> str:
    """``label`` on lines of at most ``width`` characters (Plotly breaks on ``<br>``), cut
    between words; a word longer than a line stays whole. The label is text, not markup:
    ``<`` and ``&`` are escaped first."""
    text = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


RATIO_CAP = 3.0  # log2: the colours stop at 8 times more or fewer ties than expected


def heatmap(
    names: Sequence[str],
    matrix: Sequence[Sequence[float | None]],
    title: str,
    colorbar: str,
    cell_text: Sequence[Sequence[str]] | None = None,
) -> str:
    if len(names) < 2:
        return ""
    alt = _(
        "%(title)s: each cell compares the ties between two departments with what random "
        "mixing would give (blue: more, red: fewer); the figures are in the table below."
    ) % {"title": title}
    return _html(heatmap_figure(names, matrix, colorbar, cell_text), title, alt, wide=True)


def heatmap_figure(
    names: Sequence[str],
    matrix: Sequence[Sequence[float | None]],
    colorbar: str,
    cell_text: Sequence[Sequence[str]] | None = None,
) -> go.Figure:
    """Observed / expected ratios on a diverging scale centred on "as expected" (1).

    The colour is log2 of the ratio, so twice and half as many ties as expected are equally
    far from the centre and one very internal department cannot wash the others out; beyond
    8× either way the colour saturates (the hover and the cell still give the ratio). Every
    row and column is labelled."""
    floor = 2.0**-RATIO_CAP
    z = [
        [
            None if value is None else max(-RATIO_CAP, min(RATIO_CAP, math.log2(max(value, floor))))
            for value in row
        ]
        for row in matrix
    ]
    ticks = [-3, -2, -1, 0, 1, 2, 3]
    labels = ["÷8", "÷4", "÷2", "= " + _("expected"), "×2", "×4", "×8"]
    text = [list(row) for row in cell_text] if cell_text is not None else None
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=list(names),
            y=list(names),
            text=text,
            texttemplate="%{text}" if text is not None else None,
            textfont={"size": 10},
            hovertemplate="%{y} – %{x}: %{text}<extra></extra>" if text is not None else None,
            colorscale="RdBu",
            zmid=0.0,
            zmin=-RATIO_CAP,
            zmax=RATIO_CAP,
            colorbar={"title": colorbar, "tickvals": ticks, "ticktext": labels},
            hoverongaps=False,
            xgap=1,
            ygap=1,
        )
    )
    every = {"tickmode": "array", "tickvals": list(names), "ticktext": list(names)}
    figure.update_layout(
        height=max(360, 30 * len(names) + 200),
        yaxis={**every, "autorange": "reversed", "automargin": True},
        xaxis={**every, "tickangle": -40, "automargin": True},
    )
    return figure

"""The silo heatmap: a diverging scale centred on the random-mixing expectation, on which
one very internal department does not wash the others out, with every row labelled."""

from __future__ import annotations

import math

import pytest

from rucher.cockpit.charts import RATIO_CAP, heatmap, heatmap_figure

NAMES = [f"Service {letter}" for letter in "ABCDEFGHIJKLMN"]


def _matrix() -> list[list[float | None]]:
    """One department 82 times more internal than random mixing, the others near 1."""
    size = len(NAMES)
    matrix: list[list[float | None]] = [
        [0.5 if i != j else 2.0 for j in range(size)] for i in range(size)
    ]
    matrix[2][2] = 82.1
    matrix[0][1] = matrix[1][0] = 0.0
    matrix[3][4] = matrix[4][3] = None
    return matrix


def test_the_scale_is_centred_on_the_expectation_and_symmetric() -> None:
    trace = heatmap_figure(NAMES, _matrix(), "observed / expected").data[0]
    assert trace.zmid == 0 and trace.zmin == -RATIO_CAP and trace.zmax == RATIO_CAP
    z = trace.z
    # Twice and half as many ties as expected are equally far from "as expected".
    assert z[0][0] == pytest.approx(1.0) and z[0][2] == pytest.approx(-1.0)
    # The dominant cell saturates instead of stretching the scale; zero ties stay finite.
    assert z[2][2] == RATIO_CAP and z[0][1] == -RATIO_CAP
    assert z[3][4] is None
    # On a linear scale the other cells would sit within 2 % of the range: here they use it.
    assert all(math.isfinite(v) for row in z for v in row if v is not None)


def test_every_row_and_column_is_labelled() -> None:
    layout = heatmap_figure(NAMES, _matrix(), "observed / expected").layout
    assert list(layout.yaxis.tickvals) == NAMES and list(layout.xaxis.tickvals) == NAMES
    assert layout.height >= 30 * len(NAMES)
    assert "Service N" in heatmap(NAMES, _matrix(), "title", "observed / expected")
    assert heatmap(NAMES[:1], [[1.0]], "title", "observed / expected") == ""


def test_the_nps_chart_has_one_readable_row_per_figure() -> None:
    import json
    import re

    from rucher.cockpit.charts import LABEL_LINE, nps_chart, wrapped

    question = "Sur une échelle de 0 à 10, recommanderiez-vous Orvanne comme employeur ?"
    html = nps_chart(
        [
            {"label": question, "value": 4.4, "low": -6.7, "high": 15.5},
            {"label": "estimé <b>& co</b>", "value": -5.6, "low": -20.2, "high": 9.0},
            {"label": "sans valeur", "value": None},
        ],
        "NPS",
    )
    payload = json.loads(re.search(r'plotly-figure"[^>]*>(.*)</script>', html).group(1))
    trace, layout = payload["data"][0], payload["layout"]
    assert trace["x"] == [4.4, -5.6] and trace["error_x"]["arrayminus"][0] == pytest.approx(11.1)
    assert layout["xaxis"]["range"] == [-100, 100] and layout["yaxis"]["automargin"]
    assert trace["y"][0] == wrapped(question) and trace["y"][0].replace("<br>", " ") == question
    assert all(len(line) <= LABEL_LINE for line in trace["y"][0].split("<br>"))
    assert "<b>" not in trace["y"][1] and "&lt;b&gt;" in trace["y"][1]

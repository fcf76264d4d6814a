"""Silos: how departments talk to each other (E-I index, heatmap of ties)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from rucher.cockpit import charts
from rucher.cockpit.panels.base import (
    MAX_ROWS,
    Panel,
    Table,
    how_of,
    is_ok,
    missing,
    number,
    report_section,
    rounded,
)


def silos_panel(report: dict[str, Any], department: str | None = None) -> Panel:
    """The heatmap and tables; with ``department``, only the rows and pairs involving it."""
    section = report_section(report, "silos")
    panel = Panel(
        "silos",
        _("Silos between departments"),
        _(
            "How much people interact across department lines compared with random mixing, to "
            "spot teams that stay among themselves; counts of interactions only, no individual "
            "is shown."
        ),
    )
    results = section.get("results") or {}
    if not results:
        panel.notes.append(missing(section))
        return panel
    for key in ("ei_index", "ei_per_department", "ei_department_pairs", "department_modularity"):
        how = how_of(results.get(key))
        if how:
            panel.how.append(how)
    ei = results.get("ei_index")
    if is_ok(ei):
        panel.notes.append(
            _(
                "E-I index %(o)s observed, %(e)s expected under random mixing "
                "(−1 = all ties inside departments, +1 = all across)."
            )
            % {
                "o": number(ei.get("value"), 2),
                "e": number((ei.get("parameters") or {}).get("expected"), 2),
            }
        )
    else:
        panel.notes.append(missing(ei))
    per_department = results.get("ei_per_department")
    pairs = results.get("ei_department_pairs")
    if is_ok(per_department):
        rows = [r for r in per_department["value"] if department in (None, r["department"])]
        panel.tables.append(
            Table(
                "silos_departments",
                _("E-I per department"),
                [
                    _("department"),
                    _("people"),
                    _("ties inside"),
                    _("ties outside"),
                    _("E-I observed"),
                    _("E-I expected"),
                ],
                [
                    [
                        r["department"],
                        r["size"],
                        r["internal_ties"],
                        r["external_ties"],
                        rounded(r["ei_observed"]),
                        rounded(r["ei_expected"]),
                    ]
                    for r in rows
                ],
            )
        )
    if is_ok(pairs):
        rows = [
            r for r in pairs["value"] if department in (None, r["department_a"], r["department_b"])
        ]
        panel.tables.append(
            Table(
                "silos_pairs",
                _("Ties between pairs of departments"),
                [
                    _("department"),
                    _("department"),
                    _("ties"),
                    _("expected under random mixing"),
                    _("observed / expected"),
                    _("E-I observed"),
                    _("E-I expected"),
                ],
                [
                    [
                        r["department_a"],
                        r["department_b"],
                        r["ties_between"],
                        rounded(r["expected_ties"], 2),
                        rounded(r["ratio_to_expected"], 2),
                        rounded(r["ei_observed"]),
                        rounded(r["ei_expected"]),
                    ]
                    for r in rows[:MAX_ROWS]
                ],
            )
        )
        if is_ok(per_department) and department is None:
            panel.chart = _heatmap(
                per_department["value"], pairs["value"], int(pairs.get("denominator") or 0)
            )
    return panel


def _heatmap(departments: list[dict[str, Any]], pairs: list[dict[str, Any]], ties: int) -> str:
    """Observed ties / ties expected under random mixing, for every pair (1 = as expected).

    Off the diagonal the engine's expected count T·2·p_g·p_h; on it T·p_g², with p_g the
    department's share of the people who have a department. The chart colours the ratio on
    a diverging scale centred on 1 (``charts.heatmap``); each cell says the ratio."""
    names = [d["department"] for d in departments]
    people = sum(d["size"] for d in departments) or 1
    index = {name: i for i, name in enumerate(names)}
    matrix: list[list[float | None]] = [[None] * len(names) for _ in names]
    for d in departments:
        expected = ties * (d["size"] / people) ** 2
        i = index[d["department"]]
        matrix[i][i] = round(d["internal_ties"] / expected, 2) if expected else None
    for pair in pairs:
        a, b = index.get(pair["department_a"]), index.get(pair["department_b"])
        if a is None or b is None:
            continue
        ratio = pair["ratio_to_expected"]
        matrix[a][b] = matrix[b][a] = None if ratio is None else round(ratio, 2)
    text = [["" if v is None else "×" + number(v, 1).text for v in row] for row in matrix]
    return charts.heatmap(
        names,
        matrix,
        _("Ties between departments compared with random mixing"),
        _("observed / expected"),
        text,
    )

"""The opinion page's themes: asked for by name (not in the default full report), shown as a
table of words and figures, never with excerpts."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from rucher.cockpit.pages import OPINION_EXTRAS
from rucher.cockpit.panels.opinion import opinion_extras_panel
from rucher.insights.report import RUNNERS, SECTIONS


def test_themes_are_asked_for_by_the_opinion_page_only() -> None:
    assert "themes" in RUNNERS and "themes" in OPINION_EXTRAS
    assert "themes" not in SECTIONS, "the full pass keeps its cost"


def _report(themes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "sections": {
            "themes": {
                "status": "ok",
                "method": "k-means over TF-IDF",
                "parameters": {"k": 2},
                "texts": 40,
                "themes": themes,
            }
        }
    }


def test_the_themes_table_reads_in_words() -> None:
    themes = [
        {
            "label": "réunion · budget · planning",
            "items": 24,
            "share": 0.6,
            "trend": [{"month": "2026-10", "items": 10}, {"month": "2026-11", "items": 14}],
            "sentiment": {"mean": 0.25, "positive_share": 0.6, "scored": 20},
            "examples": [],
        },
        {
            "label": "sécurité · atelier",
            "items": 16,
            "share": 0.4,
            "trend": [{"month": "2026-11", "items": 16}],
            "sentiment": {"mean": None, "positive_share": None, "scored": 2},
            "examples": [],
        },
    ]
    with translation.override("fr"):
        panel = opinion_extras_panel(_report(themes))
    table = next(t for t in panel.tables if t.key == "themes")
    assert table.title == "Thèmes de la période"
    first, second = table.rows
    assert first[0] == "réunion · budget · planning" and first[3] == "10 → 14"
    assert str(first[2].text) == "60,0 %" and first[4].text == "0,25"
    assert second[4] == "trop peu"


@pytest.mark.django_db
def test_the_opinion_page_computes_its_themes(world: dict[str, Any]) -> None:
    """The page's report holds the section it asked for (the report's own list of sections
    must not filter it out)."""
    from rucher.cockpit.data import compute_report, default_period
    from rucher.cockpit.pages import PAGES
    from rucher.cockpit.views import Scope

    page = next(p for p in PAGES if p.slug == "opinion")
    report = compute_report(
        world["cm"], Scope("organisation"), default_period(), sections=page.sections
    )
    assert "themes" in report["sections"]


def test_no_table_without_themes() -> None:
    panel = opinion_extras_panel(_report([]))
    assert not [t for t in panel.tables if t.key == "themes"]

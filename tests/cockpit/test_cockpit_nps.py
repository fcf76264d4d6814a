"""The cockpit's NPS panel over a mix of poll kinds: only 0–10 recommendation polls are
figures, each named by its question (for a poll the viewer may read) or "a poll" (for one
they may not), a small poll says "not enough answers (n = 4 < 10)", a choice poll is left out
and said so, in French and in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from django.utils import translation

from rucher.cockpit.panels.opinion import nps_panel
from rucher.insights.contract import Dataset
from rucher.insights.report_nps import nps_section

pytestmark = pytest.mark.django_db


def _poll_world() -> Dataset:
    """A 0–10 poll (30 answers, NPS +30), a choice poll (40 answers: option positions 0–3)
    and a second 0–10 poll with 4 answers."""
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    content = pl.DataFrame(
        {
            "content_id": [1, 2, 3],
            "kind": ["poll", "poll", "poll"],
            "author_id": [100, 100, 100],
            "created_at": [t0, t0, t0],
            "text": [
                "How likely are you to recommend the intranet to a colleague?",
                "Which day suits the team lunch?",
                "Would you recommend the canteen?",
            ],
            "poll_kind": ["nps", "choice", "nps"],
        }
    )
    votes = [(1, i + 1, s) for i, s in enumerate([10] * 15 + [8] * 9 + [3] * 6)]
    votes += [(2, i + 1, i % 4) for i in range(40)] + [(3, i + 1, 10) for i in range(4)]
    events = pl.DataFrame(
        [
            {
                "event_id": n + 1,
                "at": t0 + timedelta(hours=n + 1),
                "actor_id": person,
                "verb": "voted",
                "object_type": "poll",
                "object_id": poll,
                "value": float(score),
            }
            for n, (poll, person, score) in enumerate(votes)
        ]
    )
    return Dataset(content=content, events=events)


def _rows(org: dict[str, Any], language: str) -> tuple[list[list[str]], list[str]]:
    report = {"sections": {"nps": nps_section(_poll_world())}}
    with translation.override(language):
        panel = nps_panel(report, org["cm"])
        rows = [[str(cell) for cell in row] for row in panel.tables[0].rows]
        return rows, [str(note) for note in panel.notes]


def test_only_recommendation_polls_make_an_nps(org: dict[str, Any]) -> None:
    rows, notes = _rows(org, "en")
    # Polls 1 and 3 (NPS), then "all NPS polls" and the estimate: never the choice poll.
    polls = rows[:2]
    assert [row[1] for row in polls] == ["30", "—"]
    assert polls[1][4] == "not enough answers (n = 4 < 10)"
    assert all(row[0] for row in rows)  # every source has a name, never "poll 2"
    assert not any("poll 2" in cell or "-100" in cell or "−100" in cell for r in rows for cell in r)
    assert any("multiple-choice poll is left out" in note for note in notes)


def test_in_french(org: dict[str, Any]) -> None:
    rows, notes = _rows(org, "fr")
    assert rows[1][4] == "pas assez de réponses (n = 4 < 10)"
    assert any("sondage à choix multiple" in note for note in notes)

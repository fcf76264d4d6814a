"""Each item's sentiment is scored once after it is written, stored, and read by the insights."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from rucher.activity.models import Event
from rucher.bulk.export import build_export
from rucher.cli import main
from rucher.conversations import actions
from rucher.insights.sentiment import content_sentiment
from rucher.sentiment import scoring
from rucher.sentiment import subscriber as sentiment_subscriber
from rucher.sentiment.models import ContentSentiment

pytestmark = pytest.mark.django_db

GOOD = "Merci à toute l'équipe, la nouvelle cantine est excellente et très agréable !"
BAD = "La réunion était inutile, mal organisée et beaucoup trop longue, quelle perte de temps."


def deliver_pending() -> None:
    """Run the sentiment subscriber on every event appended so far (what the worker does)."""
    for event in Event.objects.order_by("pk"):
        if event.verb in sentiment_subscriber.VERBS:
            sentiment_subscriber.on_event(event)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Replace the model by a counting stand-in: +0.5 for "excellente", else -0.5."""
    calls: list[list[str]] = []

    def fake(texts: Sequence[str | None], lang: str = "auto") -> tuple[np.ndarray, list[str]]:
        calls.append([t or "" for t in texts])
        scores = np.array([0.5 if "excellente" in (t or "") else -0.5 for t in texts])
        return scores, ["fr"] * len(texts)

    monkeypatch.setattr(scoring, "score_texts", fake)
    return calls


def test_scored_once_per_write_and_dropped_when_gone(
    world: dict[str, Any], counted: list[list[str]]
) -> None:
    alice = world["alice"]
    post = actions.publish(alice, world["open"], GOOD)
    deliver_pending()
    row = ContentSentiment.objects.get(content=post)
    assert row.score == 0.5 and row.lang == "fr" and row.model_version.startswith("fr:")
    assert counted == [[GOOD]]
    deliver_pending()  # a redelivered event costs no model call
    assert counted == [[GOOD]]

    actions.edit(alice, post, BAD)
    deliver_pending()
    assert ContentSentiment.objects.get(content=post).score == -0.5
    assert counted == [[GOOD], [BAD]]

    actions.delete(alice, post)
    deliver_pending()
    assert not ContentSentiment.objects.filter(content=post).exists()


def test_backfill_is_idempotent(world: dict[str, Any], counted: list[list[str]]) -> None:
    alice, bob = world["alice"], world["bob"]
    first = actions.publish(alice, world["open"], GOOD)
    second = actions.publish(bob, world["open"], BAD)
    assert scoring.backfill(batch=1) == (2, 2, 0)
    assert scoring.backfill(batch=1) == (2, 0, 0)
    assert len(counted) == 2
    assert scoring.backfill(force=True)[1] == 2
    stored = scoring.stored_scores()
    assert stored.to_dicts() == [
        {"content_id": first.pk, "sentiment": 0.5},
        {"content_id": second.pk, "sentiment": -0.5},
    ]


def test_a_repeated_text_is_scored_once(world: dict[str, Any], counted: list[list[str]]) -> None:
    """In a batch and across batches (the demo and imports repeat texts): one model call per
    distinct text, every item still stored with its score."""
    alice, bob = world["alice"], world["bob"]
    items = [actions.publish(p, world["open"], t) for p in (alice, bob) for t in (GOOD, BAD, GOOD)]
    assert scoring.backfill(batch=2) == (6, 6, 0)
    assert sorted(t for call in counted for t in call) == sorted([GOOD, BAD])
    scores = dict(ContentSentiment.objects.values_list("content_id", "score"))
    assert [scores[item.pk] for item in items] == [0.5, -0.5, 0.5] * 2


def test_backfill_command(world: dict[str, Any], counted: list[list[str]]) -> None:
    actions.publish(world["alice"], world["open"], GOOD)
    result = CliRunner().invoke(main, ["sentiment", "backfill", "--quiet"])
    assert result.exit_code == 0, result.output
    assert ContentSentiment.objects.count() == 1
    again = CliRunner().invoke(main, ["sentiment", "backfill", "--quiet"])
    assert again.exit_code == 0 and "0 scored" in again.output


def test_the_real_model_scores_and_stores(world: dict[str, Any]) -> None:
    good = actions.publish(world["alice"], world["open"], GOOD)
    bad = actions.publish(world["alice"], world["open"], BAD)
    deliver_pending()
    scores = dict(ContentSentiment.objects.values_list("content_id", "score"))
    assert scores[good.pk] > 0 > scores[bad.pk]
    version = ContentSentiment.objects.get(content=good).model_version
    assert version == "fr:default-2"


def test_content_sentiment_reads_stored_scores() -> None:
    content = pl.DataFrame(
        {
            "content_id": [1, 2],
            "author_id": [10, 11],
            "space_id": [5, 5],
            "topics": [[], []],
            "created_at": [None, None],
            "text": ["Un texte quelconque pour la démonstration.", GOOD],
            "lang": ["fr", "fr"],
            "sentiment": [-0.75, None],
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC")},
    )
    scored = content_sentiment(content).sort("content_id")
    assert scored.get_column("sentiment")[0] == -0.75  # stored: kept, not rescored
    assert scored.get_column("sentiment")[1] > 0  # not stored: scored now


def test_the_export_carries_stored_scores(world: dict[str, Any], counted: list[list[str]]) -> None:
    scored = actions.publish(world["alice"], world["open"], GOOD)
    scoring.backfill()
    unscored = actions.publish(world["alice"], world["open"], BAD)  # not delivered yet
    dataset, _left_out = build_export()
    sentiment = dict(
        zip(
            dataset.content.get_column("content_id").to_list(),
            dataset.content.get_column("sentiment").to_list(),
            strict=True,
        )
    )
    assert sentiment[scored.pk] == 0.5 and sentiment[unscored.pk] is None

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from rucher.insights.cadence import (
    cadence_table,
    cadence_vs_audience,
    partial_spearman,
    spearman,
)
from rucher.insights.contract import Dataset
from rucher.insights.periods import Period

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
COLLEGE = DATA / "collegemsg" / "CollegeMsg.txt"
START = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday
PERIOD = Period(START, START + timedelta(weeks=4))


def at(days: float) -> datetime:
    return START + timedelta(days=days)


def one_author() -> Dataset:
    """Author 1 posts on days 0, 1, 2 and 4 of week one in space 7; author 2 once."""
    content = pl.DataFrame(
        {
            "content_id": [100, 101, 102, 103, 200, 300],
            "kind": ["post", "question", "post", "post", "post", "comment"],
            "author_id": [1, 1, 1, 1, 2, 4],
            "space_id": [7, 7, 7, 7, 7, 7],
            "root_id": [None, None, None, None, None, 100],
            "created_at": [at(0), at(1), at(2), at(4), at(3), at(5)],
        }
    )
    events = pl.DataFrame(
        {
            "event_id": [1, 2, 3, 4, 5],
            "at": [at(1), at(2), at(3), at(-3), at(3)],
            "actor_id": [2, 3, 1, 5, 6],
            "verb": ["reacted", "viewed", "reacted", "reacted", "viewed"],
            "object_id": [100, None, 100, 100, 200],
            "space_id": [7, 7, 7, 7, 7],
            "target_id": [1, 1, 1, 1, 2],
        }
    )
    return Dataset(content=content, events=events)


def test_features_and_audience_by_hand() -> None:
    table = cadence_table(one_author(), PERIOD)
    row = table.filter(pl.col("author_id") == 1).row(0, named=True)
    assert row["posts"] == 4
    # Gaps 24, 24, 48 h: mean 32, sample sd sqrt(192).
    assert row["gap_cv"] == pytest.approx(math.sqrt(192) / 32)
    assert row["active_weeks"] == 1 and row["observed_weeks"] == 4
    assert row["weekly_share"] == 0.25
    # Reacted by 2 (object), viewed by 3 (target in the same space), commented by 4;
    # 1's own reaction and 5's reaction before the period do not count.
    assert row["audience"] == 3
    single = table.filter(pl.col("author_id") == 2).row(0, named=True)
    assert single["gap_cv"] is None and single["audience"] == 1


def regular_vs_irregular(n_authors: int = 15, seed: int = 0) -> tuple[Dataset, dict[int, int]]:
    """Authors with random posting days over eight weeks, each read by a planted number of
    distinct readers who react to their posts."""
    rng = np.random.default_rng(seed)
    rows, reactions, audience = [], [], {}
    content_id, event_id = 1000, 1
    for author in range(1, n_authors + 1):
        days = np.sort(rng.choice(56, size=int(rng.integers(3, 15)), replace=False))
        ids = []
        for d in days:
            rows.append((content_id, author, at(float(d) + 0.4)))
            ids.append(content_id)
            content_id += 1
        readers = rng.choice(np.arange(100, 200), size=int(rng.integers(0, 30)), replace=False)
        audience[author] = len(readers)
        for reader in readers:
            reactions.append((event_id, at(57), int(reader), int(rng.choice(ids))))
            event_id += 1
    content = pl.DataFrame(
        {
            "content_id": [r[0] for r in rows],
            "kind": ["post"] * len(rows),
            "author_id": [r[1] for r in rows],
            "space_id": [7] * len(rows),
            "created_at": [r[2] for r in rows],
        }
    )
    events = pl.DataFrame(
        {
            "event_id": [e[0] for e in reactions],
            "at": [e[1] for e in reactions],
            "actor_id": [e[2] for e in reactions],
            "verb": ["reacted"] * len(reactions),
            "object_id": [e[3] for e in reactions],
            "space_id": [7] * len(reactions),
        }
    )
    return Dataset(content=content, events=events), audience


EIGHT_WEEKS = Period(START, START + timedelta(weeks=9))


def test_correlations_match_an_independent_computation() -> None:
    dataset, audience = regular_vs_irregular()
    results = cadence_vs_audience(dataset, EIGHT_WEEKS)
    table = pd.DataFrame(results["table"].value)
    assert dict(zip(table["author_id"], table["audience"], strict=True)) == audience
    assert results["table"].denominator == {"author_space_pairs": 15}
    for feature in ("gap_cv", "weekly_share", "active_weeks", "posts"):
        value = results[f"spearman.{feature}"].value
        expected = table[feature].corr(table["audience"], method="spearman")
        assert value["rho"] == pytest.approx(expected)
        assert value["n"] == 15
        assert 0 <= value["p_value"] <= 1
        assert value["ci_low"] < value["rho"] < value["ci_high"]
        assert "not cause" in results[f"spearman.{feature}"].note
    # Partial correlation = correlation of the rank residuals after regressing on posts.
    ranks = table[["weekly_share", "audience", "posts"]].rank()
    residuals = []
    for column in ("weekly_share", "audience"):
        slope, intercept = np.polyfit(ranks["posts"], ranks[column], 1)
        residuals.append(ranks[column] - (slope * ranks["posts"] + intercept))
    expected = np.corrcoef(residuals[0], residuals[1])[0, 1]
    assert results["partial.weekly_share"].value["rho"] == pytest.approx(expected)
    json.dumps({k: r.to_dict() for k, r in results.items()})


def test_a_strong_planted_link_is_found_and_significant() -> None:
    x = np.arange(20, dtype=float)
    y = x * 3 + np.random.default_rng(1).normal(0, 1, 20)
    found = spearman(x, y)
    assert found is not None and found["rho"] > 0.9 and found["p_value"] < 1e-6
    assert spearman(np.ones(20), y) is None  # constant: undefined
    assert partial_spearman(x, y, np.ones(20)) is None


def test_not_enough_pairs_and_constant_features() -> None:
    dataset, _ = regular_vs_irregular(n_authors=6)
    results = cadence_vs_audience(dataset, EIGHT_WEEKS)
    assert results["spearman.gap_cv"].status == "not_enough_data"
    assert results["spearman.gap_cv"].note == "not enough data (n = 6 < 10)"
    # Twelve authors posting every Monday: the gaps never vary, so gap_cv is constant.
    weekly = pl.DataFrame(
        {
            "content_id": list(range(48)),
            "kind": ["post"] * 48,
            "author_id": [a for a in range(12) for _ in range(4)],
            "space_id": [1] * 48,
            "created_at": [at(7 * w) for _ in range(12) for w in range(4)],
        }
    )
    constant = cadence_vs_audience(Dataset(content=weekly), PERIOD)
    assert constant["spearman.gap_cv"].status == "not_enough_data"
    assert "constant" in constant["spearman.gap_cv"].note
    empty = cadence_vs_audience(Dataset())
    assert empty["table"].value == [] and empty["spearman.posts"].status == "not_enough_data"
    with pytest.raises(ValueError):
        cadence_vs_audience(dataset, min_posts=2)


@pytest.mark.dataset
@pytest.mark.skipif(not COLLEGE.exists(), reason=f"dataset absent: {COLLEGE}")
def test_college_messages_cadence() -> None:
    raw = pd.read_csv(COLLEGE, sep=" ", header=None, names=["src", "dst", "unix_time"])
    events = pl.DataFrame(
        {
            "event_id": np.arange(len(raw)),
            "at": pd.to_datetime(raw["unix_time"], unit="s", utc=True),
            "actor_id": raw["src"],
            "verb": "messaged",
            "target_id": raw["dst"],
        }
    )
    results = cadence_vs_audience(Dataset(events=events), post_verbs={"messaged"})
    table = pd.DataFrame(results["table"].value)
    senders = raw.groupby("src").size()
    assert len(table) == (senders >= 3).sum()
    # Audience of a sender: the people they wrote to and the people who wrote to them.
    busiest = int(senders.idxmax())
    reached = set(raw.loc[raw["src"] == busiest, "dst"]) | set(
        raw.loc[raw["dst"] == busiest, "src"]
    )
    reached.discard(busiest)
    assert table.set_index("author_id").loc[busiest, "audience"] == len(reached)
    assert results["spearman.posts"].value["rho"] > 0.5  # volume reaches people
    partial = results["partial.weekly_share"].value
    assert abs(partial["rho"]) < abs(results["spearman.weekly_share"].value["rho"])

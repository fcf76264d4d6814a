"""The demo generator: its numbers, its shape and its determinism for a seed."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from rucher.demo.generator import DemoData, generate
from rucher.demo.organisation import DEMO_ACCOUNTS

UNTIL = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def small() -> DemoData:
    return generate(7, people=60, items=600, until=UNTIL)


def test_same_seed_same_organisation_other_seed_another(small: DemoData) -> None:
    again = generate(7, people=60, items=600, until=UNTIL)
    for table, frame in small.dataset.frames().items():
        assert frame.equals(getattr(again.dataset, table)), table
    assert again.people_extras == small.people_extras
    assert again.reaction_kinds == small.reaction_kinds
    other = generate(8, people=60, items=600, until=UNTIL)
    assert not other.dataset.content.equals(small.dataset.content)


def test_small_organisation_has_every_feature(small: DemoData) -> None:
    data = small.dataset
    assert data.people.height == 60
    assert data.spaces.height >= 30
    spaces = data.spaces
    assert spaces.filter(pl.col("parent_id").is_not_null()).height >= 4  # hubs' sub-spaces
    assert set(spaces["visibility"]) == {"open", "private", "secret"}
    assert spaces.filter(pl.col("kind") == "partner").height == 2
    assert [s for s, e in small.spaces_extras.items() if e["confidential"]] != []
    kinds = set(data.content["kind"])
    assert {"post", "comment", "question", "answer", "poll"} <= kinds
    assert data.content["accepted"].any()
    start, end = data.content["created_at"].min(), data.content["created_at"].max()
    assert start >= datetime(2025, 6, 1, tzinfo=UTC) and end <= UNTIL  # type: ignore[operator]
    usernames = {e["username"] for e in small.people_extras.values()}
    assert {a.username for a in DEMO_ACCOUNTS} <= usernames
    assert len(usernames) == 60


@pytest.fixture(scope="module")
def full() -> DemoData:
    return generate(2026, until=UNTIL)


def test_full_size_numbers(full: DemoData) -> None:
    data, stats = full.dataset, full.stats
    people = data.people
    assert people.height >= 500
    assert people["department"].drop_nulls().n_unique() >= 12
    assert people["site"].drop_nulls().n_unique() == 3
    guests = people.filter(pl.col("kind") == "partner")
    assert guests["organisation"].n_unique() == 2
    assert people["manager_id"].is_not_null().sum() >= 0.9 * people.height  # an org chart
    writing = data.content.height + stats["reactions"]
    assert writing >= 20_000
    lang = data.content["lang"].value_counts().sort("count")
    assert lang["lang"].to_list() == ["en", "fr"]  # mostly French, some English
    assert data.content["text"].str.starts_with("[Sport]").sum() > 10
    assert data.content["text"].str.contains("@").sum() > 50
    assert data.content.explode("topics")["topics"].n_unique() > 20


def test_activity_is_unequal_and_readers_exist(full: DemoData) -> None:
    data = full.dataset
    authors = data.content.group_by("author_id").len().sort("len", descending=True)
    top_tenth = authors.head(data.people.height // 10)["len"].sum()
    assert top_tenth > 0.4 * data.content.height  # a few very active people
    writers = set(authors.filter(pl.col("len") >= 3)["author_id"])
    readers = set(data.events.filter(pl.col("verb") == "viewed")["actor_id"]) - writers
    assert len(readers) > 0.2 * data.people.height  # many who read and rarely write


def test_polls(full: DemoData) -> None:
    data = full.dataset
    polls = data.content.filter(pl.col("kind") == "poll")["content_id"].to_list()
    assert len(polls) == 2 and len(full.poll_options) == 1
    (nps,) = [p for p in polls if p not in full.poll_options]
    votes = data.events.filter((pl.col("verb") == "voted") & (pl.col("object_id") == nps))
    assert votes.height >= 50
    assert set(votes["value"].to_list()) <= {float(v) for v in range(11)}

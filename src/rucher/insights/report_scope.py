"""Restrict a dataset to a space (with its sub-spaces) and to the data before or inside a period.

The views share the conformed frames of the dataset they come from (no re-validation, no
copy of the columns Polars does not need to touch).
"""

from __future__ import annotations

import copy
from datetime import datetime

import polars as pl

from rucher.insights.contract import Dataset
from rucher.insights.periods import Period, period_mask

# Object types whose object_id is a content id (events without a space are matched by it).
CONTENT_OBJECT_TYPES: tuple[str, ...] = ("content", "post", "comment", "question", "answer", "poll")


class UnknownSpace(ValueError):
    """The space asked for is not in the spaces table."""


def with_frames(dataset: Dataset, **frames: pl.DataFrame) -> Dataset:
    """A dataset sharing ``dataset``'s frames except those given (already conformed)."""
    view = copy.copy(dataset)
    for table, frame in frames.items():
        setattr(view, table, frame)
    return view


def space_subtree(spaces: pl.DataFrame, space_id: int) -> list[int]:
    """``space_id`` and every space below it (children, grandchildren …), sorted.

    Walks one level per iteration over the (small) spaces table; a cycle in ``parent_id``
    cannot loop forever because only unseen spaces are added.
    """
    known = set(spaces.get_column("space_id").to_list())
    if space_id not in known:
        raise UnknownSpace(f"unknown space: {space_id}")
    links = spaces.select("space_id", "parent_id").drop_nulls()
    found = {space_id}
    frontier = {space_id}
    while frontier:
        children = set(
            links.filter(pl.col("parent_id").is_in(sorted(frontier)))
            .get_column("space_id")
            .to_list()
        )
        frontier = children - found
        found |= frontier
    return sorted(found)


def restrict_to_spaces(dataset: Dataset, space_ids: list[int]) -> Dataset:
    """Content written in the spaces, events that happened in them (or, when an event has no
    space, that concern content of those spaces), and the people who appear in either.

    People are restricted too: a space's registered population is who took part in it, not
    the whole organisation.
    """
    content = dataset.content.filter(pl.col("space_id").is_in(space_ids))
    content_ids = content.get_column("content_id").implode()
    events = dataset.events.filter(
        pl.col("space_id").is_in(space_ids)
        | (
            pl.col("space_id").is_null()
            & pl.col("object_type").is_in(CONTENT_OBJECT_TYPES)
            & pl.col("object_id").is_in(content_ids)
        )
    )
    seen = pl.concat(
        [
            events.select(pl.col("actor_id").alias("person_id")),
            events.select(pl.col("target_id").alias("person_id")).drop_nulls(),
            content.select(pl.col("author_id").alias("person_id")),
        ]
    ).unique()
    people = dataset.people.join(seen, on="person_id", how="semi")
    spaces = dataset.spaces.filter(pl.col("space_id").is_in(space_ids))
    return with_frames(dataset, people=people, spaces=spaces, content=content, events=events)


def before(dataset: Dataset, end: datetime) -> Dataset:
    """Events and content strictly before ``end`` (what was known at that moment)."""
    return with_frames(
        dataset,
        content=dataset.content.filter(pl.col("created_at") < end),
        events=dataset.events.filter(pl.col("at") < end),
    )


def within(dataset: Dataset, period: Period) -> Dataset:
    """Events and content inside ``period``."""
    return with_frames(
        dataset,
        content=dataset.content.filter(period_mask(period, "created_at")),
        events=dataset.events.filter(period_mask(period)),
    )

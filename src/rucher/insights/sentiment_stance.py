"""Stance: the average sentiment of what someone wrote, per space or per topic.

Privacy (ARCHITECTURE §4): a member's own stance is shown to that member only; community
managers see group aggregates, and only for groups of at least MIN_GROUP_SIZE distinct
people. ``member_stances`` is for the member's own page; ``group_stances`` is what a
cockpit may show.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from rucher.insights.results import MIN_GROUP_SIZE, Result, not_enough_data

StanceKey = Literal["space_id", "topic"]

STANCE_METHOD = (
    "mean sentiment score in [-1, 1] of the person's texts in the space or topic; a group's "
    "stance is the mean of its members' stances (each person weighs the same)"
)


def _by_key(scored_content: pl.DataFrame, by: StanceKey) -> pl.DataFrame:
    """One row per (text, key): a text with several topics counts in each."""
    if by == "topic":
        return (
            scored_content.explode("topics")
            .rename({"topics": "topic"})
            .filter(pl.col("topic").is_not_null())
        )
    return scored_content.filter(pl.col("space_id").is_not_null())


def all_member_stances(scored_content: pl.DataFrame, by: StanceKey = "space_id") -> pl.DataFrame:
    """person_id, <by>, stance, texts: every member's stance per space or topic.

    Internal: it holds individual figures, so only ``member_stances`` (a member's own) and
    ``group_stances`` (aggregates) may leave this module's callers' hands.
    """
    return (
        _by_key(scored_content, by)
        .group_by(["author_id", by])
        .agg(pl.col("sentiment").mean().alias("stance"), pl.len().alias("texts"))
        .rename({"author_id": "person_id"})
        .sort(["person_id", by])
    )


def member_stances(
    scored_content: pl.DataFrame, person_id: int, viewer_id: int, by: StanceKey = "space_id"
) -> pl.DataFrame:
    """The member's own stances. Anyone else asking gets PermissionError, never the data."""
    if person_id != viewer_id:
        raise PermissionError("a member's stance is shown to that member only")
    own = scored_content.filter(pl.col("author_id") == person_id)
    return all_member_stances(own, by)


def group_stances(
    scored_content: pl.DataFrame,
    by: StanceKey = "space_id",
    people: list[int] | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
) -> dict[object, Result]:
    """Stance of the group (everyone, or ``people``) per space or topic.

    A space or topic where fewer than ``min_group_size`` distinct people wrote returns
    ``not_enough_data``: an average over two people would reveal them.
    """
    min_group_size = max(min_group_size, MIN_GROUP_SIZE)
    content = scored_content
    if people is not None:
        content = content.filter(pl.col("author_id").is_in(people))
    stances = all_member_stances(content, by)
    summary = (
        stances.group_by(by)
        .agg(
            pl.col("stance").mean().alias("stance"),
            pl.col("stance").std().alias("spread"),
            pl.len().alias("people"),
            pl.col("texts").sum().alias("texts"),
            ((pl.col("stance") > 0).mean()).alias("positive_share"),
        )
        .sort(by)
    )
    results: dict[object, Result] = {}
    for row in summary.iter_rows(named=True):
        key = row[by]
        name = f"stance[{by}={key}]"
        parameters = {by: key, "min_group_size": min_group_size}
        if row["people"] < min_group_size:
            results[key] = not_enough_data(
                name, STANCE_METHOD, row["people"], min_group_size, parameters
            )
            continue
        results[key] = Result(
            name=name,
            value=row["stance"],
            method=STANCE_METHOD,
            parameters={
                **parameters,
                "spread": row["spread"],
                "positive_share": row["positive_share"],
                "texts": row["texts"],
            },
            denominator=row["people"],
        )
    return results

"""Themes a community manager recognises: per space or for the whole network, each with its
words, the posts that best show it, its volume over time and its sentiment.

``theme_overview(content, ...)`` is the one call the cockpit makes; the clustering itself is
``similar_topics.find_themes`` (TF-IDF + seeded k-means, labels of meaningful words). See
docs/insights.md, "Themes".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from rucher.insights.results import MIN_GROUP_SIZE, jsonable
from rucher.insights.similar_topics import SAMPLE_SIZE, find_themes

EXAMPLES = 3  # posts shown per theme
EXAMPLE_CHARACTERS = 240
TREND_PERIODS = 6  # the last months shown in a theme's trend
# Kinds that open a conversation make better examples than replies ("+1", "merci").
EXAMPLE_KINDS = ("post", "question", "poll")


def theme_overview(
    content: pl.DataFrame,
    *,
    space_id: int | None = None,
    seed: int = 0,
    k: int | None = None,
    examples: int = EXAMPLES,
    periods: int = TREND_PERIODS,
    now: datetime | None = None,
    sample_size: int = SAMPLE_SIZE,
) -> dict[str, Any]:
    """The themes of ``content`` (contract columns; ``sentiment`` read when stored), for one
    space (``space_id``) or the whole network (None). JSON-safe::

        {"scope": "network" | "space", "space_id": int | None, "status": "ok" |
         "not_enough_data", "note": str, "method": str, "parameters": {...},
         "texts": int,                      # distinct texts clustered
         "themes": [{"label": "réunion · budget · planning",
                     "terms": ["réunion", "budget", ...],       # up to 8, heaviest first
                     "items": int, "share": float,              # of the items with a theme
                     "examples": [{"content_id", "kind", "space_id", "created_at",
                                   "excerpt"}],                 # the closest to the centre
                     "trend": [{"month": "2026-07", "items": int}],   # last ``periods``
                     "sentiment": {"mean": float | None, "positive_share": float | None,
                                   "scored": int}}]}            # stored scores only

    Themes are sorted by size. ``examples`` never come from outside ``content``: the caller
    passes only what the viewer may read. Sentiment is the mean of the stored item scores
    (``rucher.sentiment``); below MIN_GROUP_SIZE scored items it is None.
    """
    scoped = content if space_id is None else content.filter(pl.col("space_id") == space_id)
    themes = find_themes(scoped, seed=seed, k=k, sample_size=sample_size)
    base: dict[str, Any] = {
        "scope": "network" if space_id is None else "space",
        "space_id": space_id,
        "status": themes.result.status,
        "note": themes.result.note,
        "method": themes.result.method,
        "parameters": themes.result.parameters,
        "texts": themes.result.denominator,
        "themes": [],
    }
    if not themes.found:
        return jsonable(base)
    frame = scoped.with_columns(
        themes.theme_of_row.alias("_theme"),
        (
            themes.closeness
            if themes.closeness is not None
            else pl.Series("closeness", np.zeros(scoped.height))
        ).alias("_closeness"),
    ).filter(pl.col("_theme").is_not_null())
    total = frame.height
    newest = (
        frame.get_column("created_at").max() if total and "created_at" in frame.columns else None
    )
    last = now or (newest if isinstance(newest, datetime) else None)
    listed = []
    for number, (label, terms) in enumerate(zip(themes.labels, themes.terms, strict=True)):
        members = frame.filter(pl.col("_theme") == number)
        listed.append(
            {
                "label": label,
                "terms": terms[:8],
                "items": members.height,
                "share": members.height / total if total else 0.0,
                "examples": _examples(members, examples),
                "trend": _trend(members, last, periods),
                "sentiment": _sentiment(members),
            }
        )
    base["themes"] = sorted(listed, key=lambda t: (-t["items"], t["label"]))
    return jsonable(base)


def _examples(members: pl.DataFrame, count: int) -> list[dict[str, Any]]:
    if not count or members.is_empty():
        return []
    kind = pl.col("kind") if "kind" in members.columns else pl.lit("post")
    ranked = (
        members.with_columns(kind.is_in(EXAMPLE_KINDS).alias("_opens"))
        .filter(pl.col("text").is_not_null())
        .unique(subset=["text"], keep="first", maintain_order=True)
        .sort(["_opens", "_closeness", "content_id"], descending=[True, True, False])
        .head(count)
    )
    return [
        {
            "content_id": row["content_id"],
            "kind": row.get("kind"),
            "space_id": row.get("space_id"),
            "created_at": row.get("created_at"),
            "excerpt": _excerpt(row["text"]),
        }
        for row in ranked.iter_rows(named=True)
    ]


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= EXAMPLE_CHARACTERS:
        return flat
    cut = flat[:EXAMPLE_CHARACTERS].rsplit(" ", 1)[0]
    return cut + "…"


def _trend(members: pl.DataFrame, last: datetime | None, periods: int) -> list[dict[str, Any]]:
    """Items per calendar month over the last ``periods`` months up to ``last`` (zeros kept)."""
    if last is None or not periods or "created_at" not in members.columns:
        return []
    months = []
    year, month = last.year, last.month
    for _ in range(periods):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    counted = (
        members.select(pl.col("created_at").dt.strftime("%Y-%m").alias("month"))
        .group_by("month")
        .agg(pl.len().alias("items"))
    )
    found = dict(zip(counted["month"].to_list(), counted["items"].to_list(), strict=True))
    return [{"month": m, "items": int(found.get(m, 0))} for m in months]


def _sentiment(members: pl.DataFrame) -> dict[str, Any]:
    if "sentiment" not in members.columns:
        return {"mean": None, "positive_share": None, "scored": 0}
    scores = members.get_column("sentiment").drop_nulls()
    if scores.len() < MIN_GROUP_SIZE:
        return {"mean": None, "positive_share": None, "scored": int(scores.len())}
    return {
        "mean": float(scores.mean()),  # type: ignore[arg-type]
        "positive_share": float((scores > 0).mean()),  # type: ignore[arg-type]
        "scored": int(scores.len()),
    }

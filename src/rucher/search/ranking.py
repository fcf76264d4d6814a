"""Ranked lists and their fusion: the one place where the order of results is decided.

A ranked list is what one way of matching (words today; meaning, from ``rucher.meaning``,
next) says about the index rows the searcher may see: their ids, best first, with the score
that ordered them. ``fuse`` merges any number of lists by reciprocal rank fusion
(Cormack, Clarke & Büttcher, SIGIR 2009): an item's fused score is the sum over lists of
``1 / (k + rank)``. RRF reads ranks only, so the lists' scores need no common scale (BM25 on
SQLite, ts_rank_cd on PostgreSQL, cosine similarity for meaning), and adding a list is one
more argument.

Each fused item keeps its parts, ``{"words": {"rank": 1, "score": 7.2}, "fused": 0.0164}``,
which the API shows as the item's ``score``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

RRF_K = 60  # the constant of the original paper; it damps the top ranks' lead


@dataclass(frozen=True)
class RankedList:
    """One ranking: index row ids best first, and the score each had (higher is better)."""

    name: str
    ids: Sequence[int]
    scores: Sequence[float]

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.scores):
            raise ValueError("a ranked list has one score per id")


@dataclass(frozen=True)
class Fused:
    entry_id: int
    fused: float
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def score(self) -> dict[str, Any]:
        """The score's parts, as the API shows them."""
        return {**self.parts, "fused": round(self.fused, 6)}


def fuse(lists: Sequence[RankedList], k: int = RRF_K) -> list[Fused]:
    """Reciprocal rank fusion of ``lists``: best first, ties by row id (a stable order for
    the cursors)."""
    totals: dict[int, float] = {}
    parts: dict[int, dict[str, dict[str, Any]]] = {}
    for ranked in lists:
        seen: set[int] = set()
        for position, (entry_id, score) in enumerate(zip(ranked.ids, ranked.scores, strict=True)):
            if entry_id in seen:
                continue  # a list names an item once: its best rank counts
            seen.add(entry_id)
            rank = position + 1
            totals[entry_id] = totals.get(entry_id, 0.0) + 1.0 / (k + rank)
            parts.setdefault(entry_id, {})[ranked.name] = {
                "rank": rank,
                "score": round(float(score), 6),
            }
    fused = [Fused(entry_id, total, parts[entry_id]) for entry_id, total in totals.items()]
    fused.sort(key=lambda item: (-item.fused, item.entry_id))
    return fused


def after(fused: Sequence[Fused], last_score: float, last_id: int) -> list[Fused]:
    """The items that come after (``last_score``, ``last_id``) in fused order (the cursor)."""
    return [
        item
        for item in fused
        if item.fused < last_score or (item.fused == last_score and item.entry_id > last_id)
    ]

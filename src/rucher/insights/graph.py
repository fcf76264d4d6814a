"""The person-to-person interaction graph, built from the event log.

An edge ``source -> target`` means *source gave attention or credit to target*: commented
on or answered their content, reacted to it, mentioned them, shared their content,
accepted their answer or gave them kudos. Following is deliberately absent: it measures
popularity, not interaction (see docs/insights.md, "Contextual influence").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl
from scipy import sparse

# Credit carried by one interaction of each verb. An accepted answer is the strongest
# endorsement a member can give; a reaction is the cheapest.
DEFAULT_WEIGHTS: dict[str, float] = {
    "reacted": 1.0,
    "messaged": 1.0,
    "mentioned": 1.5,
    "gave_kudos": 2.0,  # a thank-you with a message, to one person (rucher.recognition)
    "commented": 2.0,
    "answered": 2.0,
    "shared": 3.0,
    "accepted_answer": 5.0,
}


def interaction_edges(
    events: pl.DataFrame,
    weights: dict[str, float] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pl.DataFrame:
    """One row per interaction event: source, target, verb, weight, event_id, at, space_id,
    object_id. Self-interactions and events without a target are dropped."""
    weights = weights or DEFAULT_WEIGHTS
    frame = events.lazy().filter(
        pl.col("verb").is_in(list(weights))
        & pl.col("target_id").is_not_null()
        & (pl.col("target_id") != pl.col("actor_id"))
    )
    if since is not None:
        frame = frame.filter(pl.col("at") >= since)
    if until is not None:
        frame = frame.filter(pl.col("at") < until)
    return frame.select(
        pl.col("actor_id").alias("source"),
        pl.col("target_id").alias("target"),
        "verb",
        pl.col("verb").replace_strict(weights, return_dtype=pl.Float64).alias("weight"),
        "event_id",
        "at",
        "space_id",
        "object_id",
    ).collect()


def aggregate_edges(edges: pl.DataFrame) -> pl.DataFrame:
    """Sum weights per (source, target): columns source, target, weight, interactions."""
    return (
        edges.lazy()
        .group_by("source", "target")
        .agg(pl.col("weight").sum(), pl.len().alias("interactions"))
        .sort("source", "target")
        .collect()
    )


@dataclass(frozen=True)
class Adjacency:
    """A sparse weighted adjacency matrix and the person id of each row/column."""

    matrix: sparse.csr_matrix
    node_ids: np.ndarray

    def position(self) -> dict[int, int]:
        return {int(pid): i for i, pid in enumerate(self.node_ids)}


def adjacency(edges: pl.DataFrame, node_ids: np.ndarray | None = None) -> Adjacency:
    """Build ``A[i, j] = total weight from node i to node j`` (duplicates summed).

    ``node_ids`` fixes the node order (people without interactions get empty rows);
    by default the nodes are every person appearing in ``edges``, sorted.
    """
    if node_ids is None:
        node_ids = np.unique(
            np.concatenate([edges["source"].to_numpy(), edges["target"].to_numpy()])
        ).astype(np.int64)
    node_ids = np.asarray(node_ids, dtype=np.int64)
    n = len(node_ids)
    if edges.height == 0 or n == 0:
        return Adjacency(sparse.csr_matrix((n, n), dtype=np.float64), node_ids)
    order = np.argsort(node_ids)
    sorted_ids = node_ids[order]
    sources = edges["source"].to_numpy()
    targets = edges["target"].to_numpy()
    rows = order[np.clip(np.searchsorted(sorted_ids, sources), 0, n - 1)]
    cols = order[np.clip(np.searchsorted(sorted_ids, targets), 0, n - 1)]
    known = (node_ids[rows] == sources) & (node_ids[cols] == targets)
    weights = edges["weight"].to_numpy().astype(np.float64)
    matrix = sparse.coo_matrix((weights[known], (rows[known], cols[known])), shape=(n, n)).tocsr()
    matrix.sum_duplicates()
    return Adjacency(matrix, node_ids)

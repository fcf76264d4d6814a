"""Scores, lists and "why" of contextual influence, for every context in one frame.

Percentiles, normalisation and the two lists are window expressions over the context
column; the "why" of every listed person in every context is one join, one sort and one
``head`` per (context, person) group.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from rucher.insights.influence_frames import (
    CONTEXT_DTYPE,
    INTERACTION_VERBS,
    WEIGHT_OF_CODE,
    Context,
    positions,
)
from rucher.insights.results import MIN_GROUP_SIZE, Result, not_enough_data

WHY_SIZE = 5


def _percentile(column: str) -> pl.Expr:
    """Share of the context at or below each value (ties share the average rank)."""
    return pl.col(column).rank("average").over("context") / pl.col(column).count().over("context")


def score(
    members: pl.DataFrame,
    node_ids: np.ndarray,
    ranks: np.ndarray,
    received: np.ndarray,
    top: int,
) -> pl.DataFrame:
    """Members of contexts with at least MIN_GROUP_SIZE of them, with pagerank, credit,
    score (top member = 100), percentiles and the flags ``shown`` (the ``top`` best),
    ``popular`` (popular but not influential) and ``quiet`` (quiet experts); sorted by
    context, then credit (highest first), then person id."""
    index = positions(node_ids, members.get_column("person_id").to_numpy())
    column = members.get_column("context").to_numpy()
    peak = pl.col("credit").max().over("context")
    return (
        members.with_columns(
            pl.Series("pagerank", ranks[index, column], dtype=pl.Float64),
            pl.Series("credit", received[index, column], dtype=pl.Float64),
        )
        .filter(pl.len().over("context") >= MIN_GROUP_SIZE)
        .with_columns(
            (100 * pl.col("credit") / pl.when(peak > 0).then(peak).otherwise(1.0))
            .round(2)
            .alias("score"),
            _percentile("credit").alias("influence_pct"),
            pl.max_horizontal(_percentile("followers"), _percentile("volume")).alias(
                "popularity_pct"
            ),
            _percentile("volume").alias("volume_pct"),
        )
        .sort(["context", "credit", "person_id"], descending=[False, True, False])
        .with_columns(
            (pl.int_range(pl.len()).over("context") < top).alias("shown"),
            ((pl.col("popularity_pct") > 0.75) & (pl.col("influence_pct") < 0.5)).alias("popular"),
            ((pl.col("influence_pct") > 0.75) & (pl.col("volume_pct") <= 0.5)).alias("quiet"),
        )
    )


def why(
    rows: pl.DataFrame,
    pairs: pl.DataFrame,
    listed: pl.DataFrame,
    all_at: int | None,
    node_ids: np.ndarray,
    ranks: np.ndarray,
    out_weight: np.ndarray,
    damping: float,
) -> pl.DataFrame:
    """For every listed (context, person_id): the WHY_SIZE interactions of the context that
    passed them the most credit, ``damping * r(source) * weight / out_weight(source)``
    (ties: the earlier event id first). Columns context, target, source, code, event_id,
    object_id, weight, credit."""
    targets = listed.select(pl.col("person_id").alias("target")).unique()
    real = (
        rows.lazy()
        .select("source", "target", "code", "event_id", "object_id")
        .filter(pl.col("source") >= 0)
        .join(targets.lazy(), on="target", how="semi")
    )
    wanted = listed.lazy().select("context", pl.col("person_id").alias("target"))
    frames = [
        real.join(pairs.lazy(), left_on="object_id", right_on="content_id", how="inner")
        .join(wanted, on=["context", "target"], how="semi")
        .select("context", "target", "source", "code", "event_id", "object_id")
    ]
    if all_at is not None:
        everywhere = wanted.filter(pl.col("context") == all_at).select("target")
        frames.append(
            real.join(everywhere, on="target", how="semi").select(
                pl.lit(all_at, dtype=CONTEXT_DTYPE).alias("context"),
                "target",
                "source",
                "code",
                "event_id",
                "object_id",
            )
        )
    candidates = pl.concat(frames).collect()
    source = positions(node_ids, candidates.get_column("source").to_numpy())
    weight = WEIGHT_OF_CODE[candidates.get_column("code").to_numpy()]
    context = candidates.get_column("context").to_numpy()
    credit = damping * ranks[source, context] * weight / out_weight[source]
    # Only rows at or above their group's WHY_SIZE-th best credit can be kept: dropping the
    # others first leaves a few rows per person to sort instead of every candidate.
    floor = pl.col("credit").top_k(WHY_SIZE).min().over("context", "target")
    return (
        candidates.with_columns(
            pl.Series("weight", weight, dtype=pl.Float64),
            pl.Series("credit", credit, dtype=pl.Float64),
        )
        .filter(pl.col("credit") >= floor)
        .sort(["credit", "event_id"], descending=[True, False])
        .group_by("context", "target", maintain_order=True)
        .head(WHY_SIZE)
    )


def _why_items(frame: pl.DataFrame) -> dict[tuple[int, int], list[dict[str, Any]]]:
    out: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in frame.iter_rows(named=True):  # at most WHY_SIZE rows per listed person
        out.setdefault((row["context"], row["target"]), []).append(
            {
                "event_id": row["event_id"],
                "from_person": row["source"],
                "verb": INTERACTION_VERBS[row["code"]],
                "weight": row["weight"],
                "object_id": row["object_id"],
                "credit": float(row["credit"]),
            }
        )
    return out


def _person(row: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "person_id": row["person_id"],
        "score": row["score"],
        "pagerank": row["pagerank"],
        "credit_received": row["credit"],
        "reach": row["reach"],
        "impact": {
            "responses": row["responses"],
            "accepted_answers": row["accepted_answers"],
            "net_reactions": row["net_reactions"],
        },
        "popularity": {"followers": row["followers"], "volume": row["volume"]},
        "why": items,
    }


def assemble(
    contexts: list[Context],
    sizes: dict[int, int],
    scored: pl.DataFrame,
    reasons: pl.DataFrame,
    method: str,
    parameters: dict[str, Any],
) -> dict[str, Result]:
    """One Result per context: ``not_enough_data`` under MIN_GROUP_SIZE members."""
    items = _why_items(reasons)
    shown: dict[int, list[dict[str, Any]]] = {}
    for row in scored.filter("shown").iter_rows(named=True):  # at most ``top`` per context
        shown.setdefault(row["context"], []).append(row)
    popular = _people_by_context(scored, "popular")
    quiet = _people_by_context(scored, "quiet")
    results: dict[str, Result] = {}
    for column, context in enumerate(contexts):
        size = sizes.get(column, 0)
        if size < MIN_GROUP_SIZE:
            results[context.label] = not_enough_data(
                f"influence[{context.label}]", method, size, MIN_GROUP_SIZE, parameters
            )
            continue
        lists = popular.get(column, []), quiet.get(column, [])
        listed = {row["person_id"] for row in shown.get(column, [])} | set(lists[0]) | set(lists[1])
        reasons_of = {pid: items.get((column, pid), []) for pid in listed}
        results[context.label] = Result(
            name=f"influence[{context.label}]",
            value={
                "context": context.label,
                "people": [
                    _person(row, reasons_of[row["person_id"]]) for row in shown.get(column, [])
                ],
                "popular_not_influential": lists[0],
                "quiet_experts": lists[1],
                "why": {pid: reasons_of[pid] for pid in sorted(set(lists[0]) | set(lists[1]))},
            },
            method=method,
            parameters=parameters,
            denominator=size,
            evidence=sorted({e["event_id"] for found in reasons_of.values() for e in found}),
        )
    return results


def _people_by_context(scored: pl.DataFrame, flag: str) -> dict[int, list[int]]:
    grouped = scored.filter(flag).group_by("context", maintain_order=True).agg(pl.col("person_id"))
    return dict(
        zip(grouped.get_column("context").to_list(), grouped.get_column("person_id").to_list(),
            strict=True)
    )  # fmt: skip

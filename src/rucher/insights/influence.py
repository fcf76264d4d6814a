"""Contextual influence: who moves a topic or a space, kept apart from who is merely visible.

For each context (a topic from ``content.topics``, a space, or the whole network) a
topic-sensitive personalised PageRank (Haveliwala 2002) runs over the interaction graph of
``graph.py``: an edge ``i -> j`` carries the credit ``i`` gave ``j`` (answers, comments,
reactions, mentions, shares, accepted answers, weighted by ``graph.DEFAULT_WEIGHTS``). The
random surfer follows credit with probability ``damping`` and otherwise jumps to a person in
proportion to their own activity in the context (``ACTIVITY_WEIGHTS`` per content kind);
people who gave no credit (dangling rows) jump the same way. All contexts are solved at once
as one sparse matrix times a dense people × contexts block (SciPy), batch by batch.

Reported apart, never mixed into the score: reach (distinct people who interacted with the
person in the context), impact (responses triggered, accepted answers, net reactions on their
content in the context) and popularity (net followers, volume of contributions). Scores are
normalised per context (the most influential member = 100). Each listed person carries
"why": the interactions that brought them the most credit (event ids, people, verbs).

Reserved system accounts (negative person ids: bots, the anonymous voter of imported dumps,
deleted users) are neither nodes nor ranked: their votes count as impact, not as influence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import sparse

from rucher.insights.contract import Dataset
from rucher.insights.graph import DEFAULT_WEIGHTS, adjacency, aggregate_edges, interaction_edges
from rucher.insights.results import MIN_GROUP_SIZE, Result, not_enough_data

DAMPING = 0.85
TOLERANCE = 1e-10
MAX_ITERATIONS = 200
BATCH = 64  # contexts solved together: bounds memory to people × 64 floats
# How much authoring one item of each kind counts as activity in its context (the teleport).
ACTIVITY_WEIGHTS: dict[str, float] = {
    "question": 1.0,
    "answer": 1.0,
    "post": 1.0,
    "poll": 1.0,
    "comment": 0.5,
}
RESPONSE_VERBS: tuple[str, ...] = ("answered", "commented")
CONTENT_OBJECTS: tuple[str, ...] = ("content", "post", "comment", "question", "answer", "poll")
TOP_PEOPLE = 20
WHY_SIZE = 5
# The two lists, in words (also returned with every result).
POPULAR_RULE = (
    "popular but not influential: popularity (the higher of the follower and volume "
    "percentiles) in the top quarter of the context, influence below its median"
)
QUIET_RULE = (
    "quiet experts: influence in the top quarter of the context while their volume of "
    "contributions is at or below the context's median"
)
METHOD = (
    "Topic-sensitive personalised PageRank over the interaction graph (edge = credit from the "
    "person who answered, commented, reacted, mentioned, shared or accepted to the person "
    "credited; verb weights {weights}), damping {damping}, teleport and dangling mass "
    "proportional to each person's authored activity in the context (kind weights "
    "{activity}); influence = the credit received through interactions (d·Pᵀr, the "
    "teleport share excluded, so volume alone earns nothing), normalised so the context's "
    "top member = 100. Reach, impact and popularity "
    "are reported beside the score, not inside it."
)


@dataclass(frozen=True)
class Context:
    kind: str  # "topic" | "space" | "all"
    key: str | int | None

    @property
    def label(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.key}"


def contextual_influence(
    dataset: Dataset,
    topics: list[str] | None = None,
    spaces: list[int] | None = None,
    max_topics: int = 50,
    include_all: bool = True,
    damping: float = DAMPING,
    top: int = TOP_PEOPLE,
) -> dict[str, Result]:
    """Influence per context, keyed ``topic:<name>``, ``space:<id>`` and ``all``.

    By default the ``max_topics`` topics with the most contributors and every space; a
    context with fewer than MIN_GROUP_SIZE active people is ``not_enough_data``.
    """
    content = _context_content(dataset.content)
    contexts = _choose_contexts(content, topics, spaces, max_topics, include_all)
    edges = interaction_edges(dataset.events).filter(
        (pl.col("source") >= 0) & (pl.col("target") >= 0)
    )
    people = dataset.people.filter(pl.col("person_id") >= 0)["person_id"].to_numpy()
    node_ids = np.unique(
        np.concatenate(
            [
                people,
                edges["source"].to_numpy(),
                edges["target"].to_numpy(),
                content.filter(pl.col("author_id") >= 0)["author_id"].to_numpy(),
            ]
        )
    ).astype(np.int64)
    graph = adjacency(aggregate_edges(edges), node_ids)
    activity = _activity(content, contexts, node_ids)
    ranks = personalised_pagerank(graph.matrix, activity, damping)
    received = credit_received(graph.matrix, ranks, damping)
    in_context = _context_edges(edges, content, contexts)
    measures = _measures(dataset, content, edges, in_context, contexts, node_ids)
    parameters = {
        "damping": damping,
        "verb_weights": DEFAULT_WEIGHTS,
        "activity_weights": ACTIVITY_WEIGHTS,
        "min_people": MIN_GROUP_SIZE,
        "popular_rule": POPULAR_RULE,
        "quiet_rule": QUIET_RULE,
    }
    method = METHOD.format(weights=DEFAULT_WEIGHTS, damping=damping, activity=ACTIVITY_WEIGHTS)
    out_weight = np.asarray(graph.matrix.sum(axis=1)).ravel()
    results: dict[str, Result] = {}
    # One pass to split by context, instead of one filter over all rows per context.
    empty_measures, empty_edges = measures.clear(), in_context.clear()
    measures_by = {k[0]: v for k, v in measures.partition_by("context", as_dict=True).items()}
    edges_by = {k[0]: v for k, v in in_context.partition_by("context", as_dict=True).items()}
    for column, context in enumerate(contexts):
        frame = measures_by.get(column, empty_measures)
        if frame.height < MIN_GROUP_SIZE:
            results[context.label] = not_enough_data(
                f"influence[{context.label}]", method, frame.height, MIN_GROUP_SIZE, parameters
            )
            continue
        results[context.label] = _context_result(
            context, frame, ranks[:, column], received[:, column], node_ids, out_weight,
            edges_by.get(column, empty_edges),
            damping, top, method, parameters,
        )  # fmt: skip
    return results


def credit_received(
    matrix: sparse.csr_matrix, ranks: np.ndarray, damping: float = DAMPING
) -> np.ndarray:
    """The part of each stationary score that arrived through interactions:
    ``d * Pᵀ r``. A person's own activity (the teleport) earns nothing by itself, so volume
    alone, or an audience that never answers, cannot make anyone influential."""
    out_weight = np.asarray(matrix.sum(axis=1)).ravel()
    inverse = np.divide(1.0, out_weight, out=np.zeros(len(out_weight)), where=out_weight > 0)
    return damping * ((sparse.diags(inverse) @ matrix).T @ ranks)


def personalised_pagerank(
    matrix: sparse.csr_matrix, teleport: np.ndarray, damping: float = DAMPING
) -> np.ndarray:
    """Stationary scores (people × contexts) of ``r = d (Pᵀ r + dangling) + (1 - d) v``.

    ``P`` is ``matrix`` with each row divided by its total out-weight; each column of
    ``teleport`` is normalised to sum to 1 (an all-zero column gives an all-zero result).
    """
    n, k = teleport.shape
    ranks = np.zeros((n, k))
    if n == 0 or k == 0:
        return ranks
    totals = teleport.sum(axis=0)
    live = totals > 0
    out_weight = np.asarray(matrix.sum(axis=1)).ravel()
    dangling = out_weight == 0
    inverse = np.divide(1.0, out_weight, out=np.zeros(n), where=~dangling)
    transition_t = (sparse.diags(inverse) @ matrix).T.tocsr()
    for start in range(0, k, BATCH):
        cols = np.flatnonzero(live[start : start + BATCH]) + start
        if len(cols) == 0:
            continue
        v = teleport[:, cols] / totals[cols]
        r = v.copy()
        for _ in range(MAX_ITERATIONS):
            lost = r[dangling].sum(axis=0)
            following = transition_t @ r + v * lost
            updated = damping * following + (1 - damping) * v
            change = np.abs(updated - r).sum(axis=0).max()
            r = updated
            if change < TOLERANCE:
                break
        ranks[:, cols] = r
    return ranks


# --- contexts and activity ----------------------------------------------------------------


def _context_content(content: pl.DataFrame) -> pl.DataFrame:
    return content.select(
        "content_id",
        "kind",
        "author_id",
        "space_id",
        pl.col("topics").fill_null([]).list.unique(),
        pl.col("kind")
        .replace_strict(ACTIVITY_WEIGHTS, default=0.0, return_dtype=pl.Float64)
        .alias("activity"),
    )


def _choose_contexts(
    content: pl.DataFrame,
    topics: list[str] | None,
    spaces: list[int] | None,
    max_topics: int,
    include_all: bool,
) -> list[Context]:
    if topics is None:
        popular = (
            content.filter(pl.col("author_id") >= 0)
            .explode("topics")
            .drop_nulls("topics")
            .group_by("topics")
            .agg(pl.col("author_id").n_unique().alias("people"))
            .sort(["people", "topics"], descending=[True, False])
            .head(max_topics)
        )
        topics = popular["topics"].to_list()
    if spaces is None:
        spaces = sorted(content["space_id"].drop_nulls().unique().to_list())
    contexts = [Context("topic", t) for t in topics] + [Context("space", s) for s in spaces]
    return [*contexts, Context("all", None)] if include_all else contexts


def _content_contexts(content: pl.DataFrame, contexts: list[Context]) -> pl.DataFrame:
    """content_id -> context column, one row per (content, context) it belongs to."""
    frames = []
    topic_index = {c.key: i for i, c in enumerate(contexts) if c.kind == "topic"}
    space_index = {c.key: i for i, c in enumerate(contexts) if c.kind == "space"}
    if topic_index:
        frames.append(
            content.explode("topics")
            .filter(pl.col("topics").is_in(list(topic_index)))
            .select(
                "content_id",
                pl.col("topics")
                .replace_strict(topic_index, return_dtype=pl.Int64)
                .alias("context"),
            )
        )
    if space_index:
        frames.append(
            content.filter(pl.col("space_id").is_in(list(space_index))).select(
                "content_id",
                pl.col("space_id")
                .replace_strict(space_index, return_dtype=pl.Int64)
                .alias("context"),
            )
        )
    for i, c in enumerate(contexts):
        if c.kind == "all":
            frames.append(content.select("content_id", pl.lit(i, dtype=pl.Int64).alias("context")))
    if not frames:
        return pl.DataFrame(schema={"content_id": pl.Int64, "context": pl.Int64})
    return pl.concat(frames).unique()


def _activity(content: pl.DataFrame, contexts: list[Context], node_ids: np.ndarray) -> np.ndarray:
    """people × contexts matrix of authored activity (the teleport vectors)."""
    membership = _content_contexts(content, contexts).join(
        content.filter(pl.col("author_id") >= 0).select("content_id", "author_id", "activity"),
        on="content_id",
    )
    rows = np.searchsorted(node_ids, membership["author_id"].to_numpy())
    matrix = np.zeros((len(node_ids), len(contexts)))
    np.add.at(matrix, (rows, membership["context"].to_numpy()), membership["activity"].to_numpy())
    return matrix


def _context_edges(
    edges: pl.DataFrame, content: pl.DataFrame, contexts: list[Context]
) -> pl.DataFrame:
    """Interaction edges tagged with every context their object belongs to (the ``all``
    context takes every edge, whatever its object)."""
    scoped = [c if c.kind != "all" else Context("none", None) for c in contexts]
    membership = _content_contexts(content, scoped)
    tagged = edges.join(membership, left_on="object_id", right_on="content_id", how="inner")
    everything = [
        edges.with_columns(pl.lit(i, dtype=pl.Int64).alias("context"))
        for i, c in enumerate(contexts)
        if c.kind == "all"
    ]
    return pl.concat([tagged, *everything])


def _measures(
    dataset: Dataset,
    content: pl.DataFrame,
    edges: pl.DataFrame,
    in_context: pl.DataFrame,
    contexts: list[Context],
    node_ids: np.ndarray,
) -> pl.DataFrame:
    """Per (context, person): reach, responses, accepted answers, net reactions, volume,
    followers. A person belongs to a context if they authored in it or were credited in it."""
    per_target = in_context.group_by("context", pl.col("target").alias("person_id")).agg(
        pl.col("source").n_unique().alias("reach"),
        pl.col("verb").is_in(list(RESPONSE_VERBS)).sum().alias("responses"),
        (pl.col("verb") == "accepted_answer").sum().alias("accepted_answers"),
    )
    membership = _content_contexts(content, contexts)
    authored = (
        membership.join(content.select("content_id", "author_id"), on="content_id")
        .filter(pl.col("author_id") >= 0)
        .group_by("context", pl.col("author_id").alias("person_id"))
        .agg(pl.len().alias("volume"))
    )
    # Reactions include those of system actors (anonymous votes): impact, not influence.
    reactions = (
        dataset.events.filter(
            (pl.col("verb") == "reacted")
            & pl.col("target_id").is_not_null()
            & (pl.col("target_id") != pl.col("actor_id"))
        )
        .join(membership, left_on="object_id", right_on="content_id", how="inner")
        .group_by("context", pl.col("target_id").alias("person_id"))
        .agg(pl.col("value").fill_null(1.0).sum().alias("net_reactions"))
    )
    # Followers: distinct people whose latest follow event towards the person is "followed".
    follows = (
        dataset.events.filter(
            pl.col("verb").is_in(["followed", "unfollowed"]) & pl.col("target_id").is_not_null()
        )
        .sort("at", "event_id")
        .group_by("target_id", "actor_id")
        .agg(pl.col("verb").last())
        .group_by(pl.col("target_id").alias("person_id"))
        .agg((pl.col("verb") == "followed").sum().alias("followers"))
    )
    keys = pl.concat(
        [per_target.select("context", "person_id"), authored.select("context", "person_id")]
    ).unique()
    return (
        keys.filter(pl.col("person_id").is_in(pl.Series(node_ids).implode()))
        .join(per_target, on=["context", "person_id"], how="left")
        .join(authored, on=["context", "person_id"], how="left")
        .join(reactions, on=["context", "person_id"], how="left")
        .join(follows, on="person_id", how="left")
        .with_columns(
            pl.col("reach", "responses", "accepted_answers", "volume", "followers")
            .fill_null(0)
            .cast(pl.Int64),
            pl.col("net_reactions").fill_null(0.0),
        )
    )


# --- one context's result -------------------------------------------------------------------


def _percentile(values: pl.Expr) -> pl.Expr:
    """Share of the context at or below each value (ties share the average rank)."""
    return values.rank("average") / values.count()


def _context_result(
    context: Context,
    frame: pl.DataFrame,
    ranks: np.ndarray,
    received: np.ndarray,
    node_ids: np.ndarray,
    out_weight: np.ndarray,
    in_context: pl.DataFrame,
    damping: float,
    top: int,
    method: str,
    parameters: dict[str, Any],
) -> Result:
    rank_of = pl.DataFrame({"person_id": node_ids, "pagerank": ranks, "credit": received})
    scored = frame.join(rank_of, on="person_id", how="left").with_columns(
        pl.col("pagerank", "credit").fill_null(0.0)
    )
    best = scored["credit"].max()
    peak = float(best) if isinstance(best, int | float) and best > 0 else 1.0
    scored = scored.with_columns(
        (100 * pl.col("credit") / peak).round(2).alias("score"),
        _percentile(pl.col("credit")).alias("influence_pct"),
        pl.max_horizontal(_percentile(pl.col("followers")), _percentile(pl.col("volume"))).alias(
            "popularity_pct"
        ),
        _percentile(pl.col("volume")).alias("volume_pct"),
    ).sort(["credit", "person_id"], descending=[True, False])
    popular = scored.filter((pl.col("popularity_pct") > 0.75) & (pl.col("influence_pct") < 0.5))[
        "person_id"
    ].to_list()
    quiet = scored.filter((pl.col("influence_pct") > 0.75) & (pl.col("volume_pct") <= 0.5))[
        "person_id"
    ].to_list()
    shown = scored.head(top)
    listed = set(shown["person_id"].to_list()) | set(popular) | set(quiet)
    why = _why(in_context, listed, node_ids, ranks, out_weight, damping)
    people = [
        {
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
            "why": why.get(row["person_id"], []),
        }
        for row in shown.iter_rows(named=True)
    ]
    return Result(
        name=f"influence[{context.label}]",
        value={
            "context": context.label,
            "people": people,
            "popular_not_influential": popular,
            "quiet_experts": quiet,
            "why": {pid: why.get(pid, []) for pid in sorted(set(popular) | set(quiet))},
        },
        method=method,
        parameters=parameters,
        denominator=scored.height,
        evidence=sorted({e["event_id"] for items in why.values() for e in items}),
    )


def _why(
    in_context: pl.DataFrame,
    people: set[int],
    node_ids: np.ndarray,
    ranks: np.ndarray,
    out_weight: np.ndarray,
    damping: float,
) -> dict[int, list[dict[str, Any]]]:
    """The interactions (``in_context``: this context's edges only) that passed each person
    the most credit: ``damping * r(source) * weight / out_weight(source)``."""
    edges = in_context.filter(pl.col("target").is_in(people))
    if edges.height == 0:
        return {}
    position = np.searchsorted(node_ids, edges["source"].to_numpy())
    credit = damping * ranks[position] * edges["weight"].to_numpy() / out_weight[position]
    top = (
        edges.with_columns(pl.Series("credit", credit))
        .sort(["credit", "event_id"], descending=[True, False])
        .group_by("target", maintain_order=True)
        .head(WHY_SIZE)
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for row in top.iter_rows(named=True):  # at most WHY_SIZE rows per listed person
        out.setdefault(row["target"], []).append(
            {
                "event_id": row["event_id"],
                "from_person": row["source"],
                "verb": row["verb"],
                "weight": row["weight"],
                "object_id": row["object_id"],
                "credit": float(row["credit"]),
            }
        )
    return out

"""Columnar building blocks of contextual influence, for every context at once.

Which content belongs to which context, the interaction rows read once from the event log,
the teleport (authored activity) and the per-(context, person) measures. Every step is one
join or one group_by over all contexts together: no query per context, no copy of the edge
list per context. The ``all`` context is never materialised as a copy of the edges: it is
aggregated straight from the interaction rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from rucher.insights.graph import DEFAULT_WEIGHTS

# How much authoring one item of each kind counts as activity in its context (the teleport).
ACTIVITY_WEIGHTS: dict[str, float] = {
    "question": 1.0,
    "answer": 1.0,
    "post": 1.0,
    "poll": 1.0,
    "comment": 0.5,
}
RESPONSE_VERBS: tuple[str, ...] = ("answered", "commented")
# Interaction verbs are carried as a small code (position in DEFAULT_WEIGHTS), not as text.
INTERACTION_VERBS: tuple[str, ...] = tuple(DEFAULT_WEIGHTS)
VERB_CODE: dict[str, int] = {verb: code for code, verb in enumerate(INTERACTION_VERBS)}
WEIGHT_OF_CODE: np.ndarray = np.array([DEFAULT_WEIGHTS[v] for v in INTERACTION_VERBS])
CONTEXT_DTYPE = pl.Int32


@dataclass(frozen=True)
class Context:
    kind: str  # "topic" | "space" | "theme" | "all"
    key: str | int | None

    @property
    def label(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.key}"


def context_content(content: pl.DataFrame) -> pl.DataFrame:
    """The content columns influence needs, with each item's activity weight."""
    return content.select(
        "content_id",
        "author_id",
        "space_id",
        pl.col("topics").fill_null([]).list.unique(),
        pl.col("kind")
        .replace_strict(ACTIVITY_WEIGHTS, default=0.0, return_dtype=pl.Float64)
        .alias("activity"),
    )


def topic_rows(content: pl.DataFrame) -> pl.DataFrame:
    """One row per (content, topic): content_id, author_id, activity, topic."""
    return (
        content.lazy()
        .select("content_id", "author_id", "activity", pl.col("topics").alias("topic"))
        .explode("topic")
        .drop_nulls("topic")
        .collect()
    )


def choose_contexts(
    content: pl.DataFrame,
    by_topic: pl.DataFrame,
    topics: list[str] | None,
    spaces: list[int] | None,
    max_topics: int,
    include_all: bool,
) -> list[Context]:
    if topics is None:
        popular = (
            by_topic.lazy()
            .filter(pl.col("author_id") >= 0)
            .group_by("topic")
            .agg(pl.col("author_id").n_unique().alias("people"))
            .sort(["people", "topic"], descending=[True, False])
            .head(max_topics)
            .collect()
        )
        topics = popular["topic"].to_list()
    if spaces is None:
        spaces = sorted(content["space_id"].drop_nulls().unique().to_list())
    contexts = [Context("topic", t) for t in topics] + [Context("space", s) for s in spaces]
    return [*contexts, Context("all", None)] if include_all else contexts


def with_themes(contexts: list[Context], labels: list[str]) -> list[Context]:
    """``contexts`` with one ``theme`` context per label, placed before ``all``."""
    themes = [Context("theme", label) for label in labels]
    scoped = [c for c in contexts if c.kind != "all"]
    return scoped + themes + [c for c in contexts if c.kind == "all"]


def all_column(contexts: list[Context]) -> int | None:
    """The column of the ``all`` context (the last one listed, if several), or None."""
    columns = [i for i, c in enumerate(contexts) if c.kind == "all"]
    return columns[-1] if columns else None


def scoped_membership(
    content: pl.DataFrame,
    by_topic: pl.DataFrame,
    contexts: list[Context],
    theme_of_row: pl.Series | None = None,
    theme_labels: list[str] | None = None,
) -> pl.DataFrame:
    """One row per (content, topic, space or theme context it belongs to): content_id,
    author_id, activity, context. The ``all`` context is left out: every item belongs to it.
    ``theme_of_row`` is the theme number of each content row (``similar_topics``), theme
    ``i`` being named ``theme_labels[i]``."""
    topic_index = {c.key: i for i, c in enumerate(contexts) if c.kind == "topic"}
    space_index = {c.key: i for i, c in enumerate(contexts) if c.kind == "space"}
    theme_column = {c.key: i for i, c in enumerate(contexts) if c.kind == "theme"}
    theme_index = {
        number: theme_column[label]
        for number, label in enumerate(theme_labels or [])
        if label in theme_column
    }
    columns = ["content_id", "author_id", "activity"]
    frames = []
    if topic_index:
        frames.append(
            by_topic.lazy()
            .filter(pl.col("topic").is_in(list(topic_index)))
            .select(
                *columns,
                pl.col("topic")
                .replace_strict(topic_index, return_dtype=CONTEXT_DTYPE)
                .alias("context"),
            )
        )
    if space_index:
        frames.append(
            content.lazy()
            .filter(pl.col("space_id").is_in(list(space_index)))
            .select(
                *columns,
                pl.col("space_id")
                .replace_strict(space_index, return_dtype=CONTEXT_DTYPE)
                .alias("context"),
            )
        )
    if theme_index and theme_of_row is not None:
        frames.append(
            content.lazy()
            .select(*columns, theme_of_row.alias("theme"))
            .filter(pl.col("theme").is_in(list(theme_index)))
            .select(
                *columns,
                pl.col("theme")
                .replace_strict(theme_index, return_dtype=CONTEXT_DTYPE)
                .alias("context"),
            )
        )
    if not frames:
        return pl.DataFrame(
            schema={
                "content_id": pl.Int64,
                "author_id": pl.Int64,
                "activity": pl.Float64,
                "context": CONTEXT_DTYPE,
            }
        )
    return pl.concat(frames).collect()


def object_contexts(membership: pl.DataFrame, content_ids_unique: bool) -> pl.DataFrame:
    """content_id -> context, one row per pair (duplicated content ids counted once)."""
    pairs = membership.select("content_id", "context")
    return pairs if content_ids_unique else pairs.unique()


def interactions(events: pl.DataFrame) -> pl.DataFrame:
    """Every event that credits a real person (``target_id >= 0``) for an interaction, system
    actors included (their reactions are impact): source, target, code (verb code), value,
    event_id, object_id. Influence edges are the rows with ``source >= 0``."""
    return (
        events.lazy()
        .filter(
            pl.col("verb").is_in(list(INTERACTION_VERBS))
            & pl.col("target_id").is_not_null()
            & (pl.col("target_id") != pl.col("actor_id"))
            & (pl.col("target_id") >= 0)
        )
        .select(
            pl.col("actor_id").alias("source"),
            pl.col("target_id").alias("target"),
            pl.col("verb").replace_strict(VERB_CODE, return_dtype=pl.UInt8).alias("code"),
            "value",
            "event_id",
            "object_id",
        )
        .collect()
    )


def node_ids(people: pl.DataFrame, edges: pl.DataFrame, content: pl.DataFrame) -> np.ndarray:
    """Sorted ids of every real person: registered, interacting or authoring."""
    ids = pl.concat(
        [
            people.get_column("person_id").cast(pl.Int64),
            edges.get_column("source"),
            edges.get_column("target"),
            content.get_column("author_id").drop_nulls(),
        ]
    )
    return ids.filter(ids >= 0).unique().sort().to_numpy().astype(np.int64)


def positions(node_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Row of each id in the sorted ``node_ids`` (every id must be there), as int32.

    A direct lookup table when the ids span a range not much wider than the number of
    nodes (the usual case: it is several times faster than a binary search over millions
    of ids), a binary search otherwise."""
    if len(node_ids) == 0 or len(ids) == 0:
        return np.zeros(len(ids), dtype=np.int32)
    low, high = int(node_ids[0]), int(node_ids[-1])
    if high - low < max(8 * len(node_ids), 1 << 20):
        table = np.zeros(high - low + 1, dtype=np.int32)
        table[node_ids - low] = np.arange(len(node_ids), dtype=np.int32)
        return table[ids - low]
    return np.searchsorted(node_ids, ids).astype(np.int32)


def authored(content: pl.DataFrame, membership: pl.DataFrame, all_at: int | None) -> pl.DataFrame:
    """Per (context, person): volume (items authored) and activity (teleport weight)."""
    aggregates = (pl.len().cast(pl.Int64).alias("volume"), pl.col("activity").sum())
    frames = [
        membership.lazy()
        .filter(pl.col("author_id") >= 0)
        .group_by("context", pl.col("author_id").alias("person_id"))
        .agg(*aggregates)
    ]
    if all_at is not None:
        frames.append(
            content.lazy()
            .filter(pl.col("author_id") >= 0)
            .group_by(pl.col("author_id").alias("person_id"))
            .agg(*aggregates)
            .select(pl.lit(all_at, dtype=CONTEXT_DTYPE).alias("context"), pl.all())
        )
    return pl.concat(frames).collect()


def _credit_columns(rows: pl.DataFrame) -> pl.LazyFrame:
    """The interaction rows reduced to what the per-person sums need, computed once before
    the rows are multiplied by the join with the contexts: giver (the source, null for a
    system account), flags of a real edge, a response and an acceptance, and the reaction
    value (system accounts included: impact, not influence)."""
    real = pl.col("source") >= 0
    code = pl.col("code")
    responses = [VERB_CODE[v] for v in RESPONSE_VERBS]
    return rows.lazy().select(
        "target",
        "object_id",
        pl.when(real).then(pl.col("source")).alias("giver"),
        real.alias("edges"),
        (real & code.is_in(responses)).alias("responses"),
        (real & (code == VERB_CODE["accepted_answer"])).alias("accepted_answers"),
        pl.when(code == VERB_CODE["reacted"])
        .then(pl.col("value").fill_null(1.0))
        .otherwise(0.0)
        .alias("net_reactions"),
    )


CREDIT_SUMS: tuple[pl.Expr, ...] = (
    pl.col("edges").sum().cast(pl.Int64),
    pl.col("giver").drop_nulls().n_unique().cast(pl.Int64).alias("reach"),
    pl.col("responses", "accepted_answers").sum().cast(pl.Int64),
    pl.col("net_reactions").sum(),
)


def received_measures(
    rows: pl.DataFrame, pairs: pl.DataFrame, content_ids: pl.Series, all_at: int | None
) -> pl.DataFrame:
    """Per (context, person credited): edges (real interactions), reach, responses, accepted
    answers and net reactions (system actors' reactions included: impact, not influence).

    In a topic or space, an interaction counts when its object is content of the context; in
    ``all`` every interaction counts, and reactions only on content (as in the topic case)."""
    credits = _credit_columns(rows)
    frames = [
        credits.join(pairs.lazy(), left_on="object_id", right_on="content_id", how="inner")
        .group_by("context", pl.col("target").alias("person_id"))
        .agg(*CREDIT_SUMS)
    ]
    if all_at is not None:
        on_content = pl.col("object_id").is_in(content_ids.implode())
        frames.append(
            credits.with_columns(pl.when(on_content).then(pl.col("net_reactions")).otherwise(0.0))
            .group_by(pl.col("target").alias("person_id"))
            .agg(*CREDIT_SUMS)
            .select(pl.lit(all_at, dtype=CONTEXT_DTYPE).alias("context"), pl.all())
        )
    return pl.concat(frames).collect()


def followers(events: pl.DataFrame) -> pl.DataFrame:
    """Distinct people whose latest follow/unfollow of a person is "followed"."""
    return (
        events.lazy()
        .filter(
            pl.col("verb").is_in(["followed", "unfollowed"]) & pl.col("target_id").is_not_null()
        )
        .select("target_id", "actor_id", "verb", "at", "event_id")
        .sort("at", "event_id")
        .group_by("target_id", "actor_id")
        .agg(pl.col("verb").last())
        .group_by(pl.col("target_id").alias("person_id"))
        .agg((pl.col("verb") == "followed").sum().cast(pl.Int64).alias("followers"))
        .collect()
    )


def members(
    received: pl.DataFrame, authorship: pl.DataFrame, follows: pl.DataFrame
) -> pl.DataFrame:
    """Per (context, person) who authored in the context or was credited in it: reach,
    responses, accepted_answers, net_reactions, volume, followers."""
    return (
        received.join(
            authorship.select("context", "person_id", "volume"),
            on=["context", "person_id"],
            how="full",
            coalesce=True,
        )
        .filter((pl.col("edges").fill_null(0) > 0) | (pl.col("volume").fill_null(0) > 0))
        .join(follows, on="person_id", how="left")
        .select(
            "context",
            "person_id",
            pl.col("reach", "responses", "accepted_answers").fill_null(0),
            pl.col("net_reactions").fill_null(0.0),
            pl.col("volume", "followers").fill_null(0),
        )
    )

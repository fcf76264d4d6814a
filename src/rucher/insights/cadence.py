"""Cadence vs audience: do authors who publish regularly reach more people?

Public API:

- ``cadence_table(dataset, period=None, post_verbs=None) -> pl.DataFrame``: one row per
  (author, space) with ``posts``, ``active_weeks``, ``observed_weeks``, ``weekly_share``,
  ``gap_cv`` and ``audience``.
- ``cadence_vs_audience(dataset, period=None, post_verbs=None, min_posts=3, min_pairs=10,
  confidence=0.95) -> dict[str, Result]``: key ``table`` (the rows above, for authors with at
  least ``min_posts`` posts) and one ``spearman.<feature>`` Result per regularity feature
  (rho, n, p-value, confidence interval), plus ``partial.<feature>`` controlling for volume.
- ``spearman(x, y, confidence) -> dict`` and ``partial_spearman(x, y, z, confidence)``.

Definitions (docs/insights.md has the formulas):

- *Posts*: the posts and questions an author wrote in a space during the period (the content
  table; the ``posted``/``asked`` events when it is empty). With ``post_verbs``, the events
  of those verbs instead (e.g. ``{"messaged"}`` for a message log), grouped by event space.
- *Regularity*: ``gap_cv`` is the coefficient of variation (sample standard deviation /
  mean) of the gaps between consecutive posts, lower = more regular; ``weekly_share`` is the
  share of ISO weeks with a post, from the week of the author's first post in the space to
  the period's last week.
- *Audience*: distinct other people who, in the period, reacted to, commented on, answered,
  viewed, shared, voted on or accepted the author's posts (matched by ``object_id``, or by
  ``target_id`` = author in the same space), or wrote a comment or answer in their threads.
  With ``post_verbs``, also the targets of the author's events.

System accounts (negative ids) are neither authors nor audience.

Correlation is not cause: volume drives both regularity and audience, an audience can make an
author regular rather than the reverse, and authors are not independent draws.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from rucher.insights.contract import Dataset, is_person
from rucher.insights.engagement import REPLY_KINDS, ROOT_KINDS
from rucher.insights.periods import Period, period_mask, span_of
from rucher.insights.results import Result, not_enough_data

AUDIENCE_VERBS: tuple[str, ...] = (
    "reacted",
    "commented",
    "answered",
    "viewed",
    "shared",
    "voted",
    "accepted_answer",
)
MIN_POSTS = 3  # two gaps at least, or a coefficient of variation means nothing
# Below ten pairs a rank correlation's interval spans almost [-1, 1].
MIN_PAIRS = 10
FEATURES: dict[str, str] = {
    "gap_cv": "coefficient of variation of the gaps between posts (lower = more regular)",
    "weekly_share": "share of the observed weeks with at least one post",
    "active_weeks": "number of weeks with at least one post",
    "posts": "number of posts (volume)",
}
CAVEAT = (
    "Correlation is not cause: volume drives both regularity and audience, an audience can "
    "make an author regular rather than the reverse, and authors are not independent draws. "
    "Per-person rows are shown only where the member's profile settings allow it."
)


def _posts(
    dataset: Dataset, period: Period, post_verbs: Collection[str] | None
) -> tuple[pl.DataFrame, str]:
    """``author_id, space_id, post_id, at, recipient`` of the posts of the period."""
    if post_verbs is None and dataset.content.height:
        frame = dataset.content.filter(pl.col("kind").is_in(ROOT_KINDS)).select(
            "author_id",
            "space_id",
            pl.col("content_id").alias("post_id"),
            pl.col("created_at").alias("at"),
            pl.lit(None, dtype=pl.Int64).alias("recipient"),
        )
        source = "content table: " + ", ".join(ROOT_KINDS)
    else:
        verbs = sorted(post_verbs) if post_verbs is not None else ["asked", "posted"]
        frame = dataset.events.filter(pl.col("verb").is_in(verbs)).select(
            pl.col("actor_id").alias("author_id"),
            "space_id",
            pl.col("object_id").alias("post_id"),
            "at",
            pl.col("target_id").alias("recipient"),
        )
        source = "events " + ", ".join(verbs)
    return frame.filter(period_mask(period) & is_person(pl.col("author_id"))), source


def _audience(
    dataset: Dataset, period: Period, posts: pl.DataFrame, post_verbs: Collection[str] | None
) -> pl.LazyFrame:
    """``author_id, space_id, audience``: distinct other people reached."""
    keys = posts.lazy().select("author_id", "space_id", "post_id").drop_nulls("post_id")
    pairs = posts.lazy().select("author_id", "space_id").unique()
    events = dataset.events.lazy().filter(period_mask(period))
    verbs = list(AUDIENCE_VERBS) + (sorted(post_verbs) if post_verbs else [])
    reacting = events.filter(pl.col("verb").is_in(verbs)).select(
        pl.col("actor_id").alias("person"), "object_id", "target_id", "space_id"
    )
    by_object = keys.join(reacting, left_on="post_id", right_on="object_id").select(
        "author_id", "space_id", "person"
    )
    by_target = pairs.join(
        reacting.select("person", pl.col("target_id").alias("author_id"), "space_id"),
        on=["author_id", "space_id"],
        nulls_equal=True,
    ).select("author_id", "space_id", "person")
    replies = (
        dataset.content.lazy()
        .filter(pl.col("kind").is_in(REPLY_KINDS) & period_mask(period, "created_at"))
        .select(
            pl.coalesce("root_id", "parent_id").alias("post_id"),
            pl.col("author_id").alias("person"),
        )
    )
    by_reply = keys.join(replies, on="post_id").select("author_id", "space_id", "person")
    recipients = posts.lazy().select("author_id", "space_id", pl.col("recipient").alias("person"))
    return (
        pl.concat([by_object, by_target, by_reply, recipients])
        .filter(
            pl.col("person").is_not_null()
            & (pl.col("person") != pl.col("author_id"))
            & is_person(pl.col("person"))
        )
        .group_by("author_id", "space_id")
        .agg(pl.col("person").n_unique().cast(pl.Int64).alias("audience"))
    )


def cadence_table(
    dataset: Dataset, period: Period | None = None, post_verbs: Collection[str] | None = None
) -> pl.DataFrame:
    """One row per (author, space) that posted in the period; see the module's definitions."""
    chosen = period or span_of(dataset)
    schema = {
        "author_id": pl.Int64,
        "space_id": pl.Int64,
        "posts": pl.Int64,
        "active_weeks": pl.Int64,
        "observed_weeks": pl.Int64,
        "weekly_share": pl.Float64,
        "gap_cv": pl.Float64,
        "audience": pl.Int64,
    }
    if chosen is None:
        return pl.DataFrame(schema=schema)
    posts, _ = _posts(dataset, chosen, post_verbs)
    last_week = (chosen.last_day + 3) // 7  # same numbering as _week_number
    features = (
        posts.lazy()
        .sort("author_id", "space_id", "at")
        .with_columns(
            (pl.col("at").diff().over("author_id", "space_id").dt.total_seconds() / 3600.0).alias(
                "gap"
            ),
            _week_number(pl.col("at")).alias("week"),
        )
        .group_by("author_id", "space_id")
        .agg(
            pl.len().cast(pl.Int64).alias("posts"),
            pl.col("week").n_unique().cast(pl.Int64).alias("active_weeks"),
            (last_week - pl.col("week").min() + 1).cast(pl.Int64).alias("observed_weeks"),
            pl.col("gap").drop_nulls().std(ddof=1).alias("gap_std"),
            pl.col("gap").drop_nulls().mean().alias("gap_mean"),
        )
        .with_columns(
            (pl.col("active_weeks") / pl.col("observed_weeks")).alias("weekly_share"),
            pl.when((pl.col("posts") >= MIN_POSTS) & (pl.col("gap_mean") > 0))
            .then(pl.col("gap_std") / pl.col("gap_mean"))
            .otherwise(None)
            .alias("gap_cv"),
        )
    )
    return (
        features.join(
            _audience(dataset, chosen, posts, post_verbs),
            on=["author_id", "space_id"],
            how="left",
            nulls_equal=True,
        )
        .with_columns(pl.col("audience").fill_null(0))
        .select(list(schema))
        .sort("author_id", "space_id")
        .collect()
        .cast(schema)  # type: ignore[arg-type]
    )


def _week_number(expr: pl.Expr) -> pl.Expr:
    """Weeks since the Monday 1969-12-29, so consecutive ISO weeks differ by one."""
    return ((expr.dt.epoch("d").cast(pl.Int64) + 3) // 7).cast(pl.Int64)


def spearman(x: np.ndarray, y: np.ndarray, confidence: float = 0.95) -> dict[str, Any] | None:
    """Spearman's rho with its p-value (scipy, t approximation) and a Fisher-z confidence
    interval using the standard error sqrt(1.06 / (n − 3)) (Fieller, Hartley and Pearson,
    1957). None when a variable is constant."""
    n = len(x)
    if n < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    outcome = stats.spearmanr(x, y)
    rho, p_value = float(outcome.statistic), float(outcome.pvalue)
    if math.isnan(rho):
        return None
    low, high = _fisher_interval(rho, n, controls=0, confidence=confidence)
    return {"rho": rho, "n": n, "p_value": p_value, "ci_low": low, "ci_high": high}


def partial_spearman(
    x: np.ndarray, y: np.ndarray, z: np.ndarray, confidence: float = 0.95
) -> dict[str, Any] | None:
    """Spearman's rho between x and y with z's ranks partialled out:
    (r_xy − r_xz·r_yz) / sqrt((1 − r_xz²)(1 − r_yz²)) on ranks; interval by Fisher z with
    n − 4 degrees of freedom, p-value from the t distribution with n − 3."""
    n = len(x)
    if n < 5 or min(np.ptp(x), np.ptp(y), np.ptp(z)) == 0:
        return None
    ranks = np.vstack([stats.rankdata(v) for v in (x, y, z)])
    r = np.corrcoef(ranks)
    r_xy, r_xz, r_yz = r[0, 1], r[0, 2], r[1, 2]
    scale = (1 - r_xz**2) * (1 - r_yz**2)
    if scale <= 0:
        return None
    rho = float(np.clip((r_xy - r_xz * r_yz) / math.sqrt(scale), -1.0, 1.0))
    dof = n - 3
    t = rho * math.sqrt(dof / max(1e-12, 1 - rho**2))
    p_value = float(2 * stats.t.sf(abs(t), dof))
    low, high = _fisher_interval(rho, n, controls=1, confidence=confidence)
    return {"rho": rho, "n": n, "p_value": p_value, "ci_low": low, "ci_high": high}


def _fisher_interval(rho: float, n: int, controls: int, confidence: float) -> tuple[float, float]:
    z = math.atanh(float(np.clip(rho, -0.999999, 0.999999)))
    half = float(stats.norm.ppf(0.5 + confidence / 2)) * math.sqrt(1.06 / (n - 3 - controls))
    return math.tanh(z - half), math.tanh(z + half)


def cadence_vs_audience(
    dataset: Dataset,
    period: Period | None = None,
    post_verbs: Collection[str] | None = None,
    min_posts: int = MIN_POSTS,
    min_pairs: int = MIN_PAIRS,
    confidence: float = 0.95,
) -> dict[str, Result]:
    """Spearman correlations between each regularity feature and the audience, over the
    (author, space) pairs with at least ``min_posts`` posts; ``not_enough_data`` below
    ``min_pairs`` pairs. ``partial.<feature>`` controls for the number of posts."""
    if min_posts < MIN_POSTS:
        raise ValueError(f"min_posts must be at least {MIN_POSTS} (two gaps)")
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    chosen = period or span_of(dataset)
    source = _posts(dataset, chosen, post_verbs)[1] if chosen else "no data"
    parameters: dict[str, Any] = {
        "period": chosen.to_dict() if chosen else None,
        "post_verbs": sorted(post_verbs) if post_verbs is not None else None,
        "posts_source": source,
        "audience_verbs": list(AUDIENCE_VERBS),
        "min_posts": min_posts,
        "min_pairs": min_pairs,
        "confidence": confidence,
    }
    table = cadence_table(dataset, chosen, post_verbs).filter(pl.col("posts") >= min_posts)
    n = table.height
    results: dict[str, Result] = {
        "table": Result(
            name="cadence.table",
            value=table.to_dicts(),
            method=f"per (author, space) with at least {min_posts} posts: regularity, volume "
            f"and audience. {CAVEAT}",
            parameters=parameters,
            denominator={"author_space_pairs": n},
        )
    }
    audience = table["audience"].to_numpy().astype(np.float64)
    posts = table["posts"].to_numpy().astype(np.float64)
    for feature, meaning in FEATURES.items():
        values = table[feature].to_numpy().astype(np.float64)
        for kind in ("spearman", "partial"):
            if kind == "partial" and feature == "posts":
                continue
            name = f"cadence.{kind}.{feature}"
            method = (
                f"Spearman rank correlation between {meaning} and the audience"
                + (
                    ", controlling for the number of posts (partial on ranks)"
                    if kind == "partial"
                    else ""
                )
                + f", over (author, space) pairs with at least {min_posts} posts; "
                f"{round(confidence * 100)} % interval by Fisher z. {CAVEAT}"
            )
            key = f"{kind}.{feature}"
            if n < min_pairs:
                results[key] = not_enough_data(name, method, n, min_pairs, parameters)
                continue
            value = (
                spearman(values, audience, confidence)
                if kind == "spearman"
                else partial_spearman(values, audience, posts, confidence)
            )
            if value is None:
                results[key] = Result(
                    name=name,
                    value=None,
                    method=method,
                    parameters=parameters,
                    denominator={"author_space_pairs": n},
                    status="not_enough_data",
                    note="a variable is constant over the pairs: no rank correlation",
                )
                continue
            results[key] = Result(
                name=name,
                value=value,
                method=method,
                parameters=parameters,
                denominator={"author_space_pairs": n},
                note=CAVEAT,
            )
    return results

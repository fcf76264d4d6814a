"""Participation inequality: Gini, Lorenz curve, top shares, 90-9-1 buckets.

Public API:

- ``inequality(dataset, period=None, population="registered", verbs=None,
  heavy_per_week=1.0) -> dict[str, Result]``: keys ``gini``, ``lorenz``, ``top_shares``,
  ``members_for_share``, ``buckets``. Every Result's denominator names the population and
  gives its size and the total contributions.
- ``inequality_report(dataset, period=None, verbs=None, heavy_per_week=1.0)
  -> dict[str, dict[str, Result]]``: the same over ``"registered"`` and ``"active"``.
- ``contributions_per_person(dataset, period, population, verbs=None) -> (frame, info)``:
  one row per member of the population (``person_id, contributions``), zeros included.
- Pure NumPy helpers on a vector of counts: ``gini``, ``lorenz_points``, ``top_share``,
  ``smallest_share_for``.

Definitions (docs/insights.md has the formulas):

- *Contributions*: by default, content written (posts, questions, comments, answers); with
  ``verbs``, the events of those verbs performed by each person instead.
- *Registered* members: the people table's members whose membership overlaps the period
  (joined before its end, not left before its start). When the people table is empty, every
  person seen in the events or content. Contributors missing from the table are added.
- System accounts (negative ids) are never members; their contributions are left out and
  counted in the parameters.
- *Active* members: people active in the period (``engagement.activity``), plus contributors.
- *Buckets*: lurkers wrote nothing; heavy contributors wrote at least ``heavy_per_week``
  contributions per week of the period on average (and at least 2); intermittent
  contributors are the rest.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any, Literal

import numpy as np
import polars as pl

from rucher.insights.contract import Dataset, is_person
from rucher.insights.engagement import activity, written
from rucher.insights.periods import Period, period_mask, span_of
from rucher.insights.results import Result, not_enough_data

Population = Literal["registered", "active"]
POPULATIONS: tuple[Population, ...] = ("registered", "active")
WRITTEN_CONTRIBUTIONS: tuple[str, ...] = ("post", "question", "comment", "answer")
TOP_PERCENTS: tuple[float, ...] = (1.0, 3.0, 10.0)
SHARE_TARGETS: tuple[float, ...] = (0.5, 0.9)
LORENZ_POINTS = 101
HEAVY_PER_WEEK = 1.0
# Below five people a Gini or a top-1 % share says more about the head count than about
# participation; five is also the privacy floor for group figures.
MIN_PEOPLE = 5
EVIDENCE_CAP = 100
_REFERENCE = "Nielsen's 90-9-1 rule (2006) as orientation, not a target"


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values: ``2 Σ i·x_(i) / (n Σ x) − (n + 1) / n`` with
    ``x`` sorted ascending and ``i`` from 1. Zero when all are equal; at most ``(n−1)/n``."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n, total = x.size, float(x.sum())
    if n == 0 or total <= 0:
        raise ValueError("gini needs at least one positive value")
    ranks = np.arange(1, n + 1, dtype=np.float64)
    return float(2.0 * np.dot(ranks, x) / (n * total) - (n + 1) / n)


def lorenz_points(values: np.ndarray, points: int = LORENZ_POINTS) -> list[tuple[float, float]]:
    """The Lorenz curve (population share, contribution share), people sorted from the least
    to the most contributing, sampled at ``points`` evenly spaced population shares. The
    curve is piecewise linear between people, so interpolating it is exact."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n, total = x.size, float(x.sum())
    if n == 0 or total <= 0:
        raise ValueError("a Lorenz curve needs at least one positive value")
    people = np.arange(n + 1, dtype=np.float64) / n
    cumulative = np.concatenate([[0.0], np.cumsum(x)]) / total
    grid = np.linspace(0.0, 1.0, max(2, points))
    shares = np.interp(grid, people, cumulative)
    return [(round(float(p), 6), round(float(s), 6)) for p, s in zip(grid, shares, strict=True)]


def top_share(values: np.ndarray, percent: float) -> float:
    """Share of the total made by the top ``ceil(percent % × n)`` people (at least one)."""
    x = np.sort(np.asarray(values, dtype=np.float64))[::-1]
    total = float(x.sum())
    if x.size == 0 or total <= 0:
        raise ValueError("top_share needs at least one positive value")
    k = max(1, math.ceil(percent / 100.0 * x.size - 1e-9))
    return float(x[:k].sum() / total)


def smallest_share_for(values: np.ndarray, target: float) -> tuple[float, int]:
    """The smallest share of people (and their number) who together make ``target`` of the
    total: the most contributing first, until their cumulative sum reaches the target."""
    x = np.sort(np.asarray(values, dtype=np.float64))[::-1]
    total = float(x.sum())
    if x.size == 0 or total <= 0:
        raise ValueError("smallest_share_for needs at least one positive value")
    cumulative = np.cumsum(x)
    needed = int(np.searchsorted(cumulative, target * total * (1 - 1e-12), side="left")) + 1
    needed = min(needed, x.size)
    return needed / x.size, needed


def contributions_per_person(
    dataset: Dataset,
    period: Period,
    population: Population,
    verbs: Collection[str] | None = None,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """``person_id, contributions`` for every member of the population, and how it was built."""
    if population not in POPULATIONS:
        raise ValueError(f"population must be one of {POPULATIONS}, not {population!r}")
    if verbs is None:
        frame, source = written(dataset)
        frame = frame.filter(pl.col("kind").is_in(WRITTEN_CONTRIBUTIONS))
        source = f"{source}: {', '.join(WRITTEN_CONTRIBUTIONS)}"
    else:
        frame = dataset.events.filter(pl.col("verb").is_in(sorted(verbs))).select(
            pl.col("actor_id").alias("person_id"), "at"
        )
        source = f"events {', '.join(sorted(verbs))}"
    in_period = frame.lazy().filter(period_mask(period))
    system = in_period.filter(~is_person(pl.col("person_id"))).select(pl.len()).collect().item()
    counts = (
        in_period.filter(is_person(pl.col("person_id")))
        .group_by("person_id")
        .agg(pl.len().cast(pl.Int64).alias("contributions"))
    )
    members, members_source = _population(dataset, period, population)
    table = (
        pl.concat([members.lazy(), counts.select("person_id")])
        .unique()
        .join(counts, on="person_id", how="left")
        .with_columns(pl.col("contributions").fill_null(0))
        .sort("person_id")
        .collect()
    )
    info = {
        "population": population,
        "population_source": members_source,
        "contributions_source": source,
        "contributors_outside_population": table.height - members.height,
        "system_account_contributions_excluded": system,
    }
    return table, info


def _population(
    dataset: Dataset, period: Period, population: Population
) -> tuple[pl.DataFrame, str]:
    if population == "active":
        people = activity(dataset).filter(period_mask(period)).select("person_id").unique()
        return people, "people active in the period (engagement definition) and contributors"
    return _registered(dataset, period).filter(is_person(pl.col("person_id"))), (
        "people table: joined before the period's end and not left before its start"
        if dataset.people.height
        else "people table empty: every person seen in events or content"
    )


def _registered(dataset: Dataset, period: Period) -> pl.DataFrame:
    if dataset.people.height:
        people = dataset.people.filter(
            (pl.col("joined_at").is_null() | (pl.col("joined_at") < period.end))
            & (pl.col("left_at").is_null() | (pl.col("left_at") >= period.start))
        )
        return people.select("person_id").unique()
    seen = pl.concat(
        [
            dataset.events.select(pl.col("actor_id").alias("person_id")),
            dataset.events.select(pl.col("target_id").alias("person_id")).drop_nulls(),
            dataset.content.select(pl.col("author_id").alias("person_id")),
        ]
    ).unique()
    return seen


def inequality(
    dataset: Dataset,
    period: Period | None = None,
    population: Population = "registered",
    verbs: Collection[str] | None = None,
    heavy_per_week: float = HEAVY_PER_WEEK,
) -> dict[str, Result]:
    """Gini, Lorenz curve, top shares, smallest shares for 50/90 % and the 90-9-1 buckets of
    the contributions per member of ``population`` over ``period`` (default: all the data)."""
    if heavy_per_week <= 0:
        raise ValueError("heavy_per_week must be positive")
    names = ("gini", "lorenz", "top_shares", "members_for_share", "buckets")
    chosen = period or span_of(dataset)
    parameters: dict[str, Any] = {
        "period": chosen.to_dict() if chosen else None,
        "population": population,
        "verbs": sorted(verbs) if verbs is not None else None,
        "heavy_per_week": heavy_per_week,
    }
    if chosen is None:
        return {
            n: not_enough_data(f"inequality.{n}", METHODS[n], 0, MIN_PEOPLE, parameters)
            for n in names
        }
    table, info = contributions_per_person(dataset, chosen, population, verbs)
    parameters |= info
    counts = table["contributions"].to_numpy().astype(np.float64)
    n, total = counts.size, int(counts.sum())
    denominator = {"population": population, "people": n, "contributions": total}
    if n < MIN_PEOPLE or total == 0:
        short = n if n < MIN_PEOPLE else total
        floor = MIN_PEOPLE if n < MIN_PEOPLE else 1
        results = {
            name: not_enough_data(f"inequality.{name}", METHODS[name], short, floor, parameters)
            for name in names
        }
        for missing in results.values():
            missing.denominator = denominator
        return results
    top_ids = (
        table.sort("contributions", "person_id", descending=[True, False])
        .head(min(EVIDENCE_CAP, max(1, math.ceil(n / 100))))
        .get_column("person_id")
        .to_list()
    )

    def make(name: str, value: Any, evidence: Any = None) -> Result:
        return Result(
            name=f"inequality.{name}",
            value=value,
            method=METHODS[name],
            parameters=parameters,
            denominator=denominator,
            evidence=evidence,
        )

    members_for: dict[str, Any] = {}
    for target in SHARE_TARGETS:
        share, people = smallest_share_for(counts, target)
        members_for[f"{round(target * 100)}%"] = {"share_of_members": share, "members": people}
    return {
        "gini": make("gini", gini(counts), {"top_contributor_ids": top_ids}),
        "lorenz": make("lorenz", lorenz_points(counts)),
        "top_shares": make(
            "top_shares",
            {f"top_{p:g}%": top_share(counts, p) for p in TOP_PERCENTS},
            {"top_contributor_ids": top_ids},
        ),
        "members_for_share": make("members_for_share", members_for),
        "buckets": make("buckets", _buckets(counts, chosen, heavy_per_week)),
    }


def _buckets(counts: np.ndarray, period: Period, heavy_per_week: float) -> dict[str, Any]:
    threshold = max(2, math.ceil(heavy_per_week * period.weeks - 1e-9))
    n, total = counts.size, float(counts.sum())
    masks = {
        "lurkers": counts == 0,
        "intermittent": (counts > 0) & (counts < threshold),
        "heavy": counts >= threshold,
    }
    buckets: dict[str, Any] = {
        name: {
            "members": int(mask.sum()),
            "share_of_members": float(mask.sum() / n),
            "share_of_contributions": float(counts[mask].sum() / total),
        }
        for name, mask in masks.items()
    }
    buckets["heavy_threshold"] = threshold
    buckets["reference"] = {"lurkers": 0.90, "intermittent": 0.09, "heavy": 0.01}
    return buckets


def inequality_report(
    dataset: Dataset,
    period: Period | None = None,
    verbs: Collection[str] | None = None,
    heavy_per_week: float = HEAVY_PER_WEEK,
) -> dict[str, dict[str, Result]]:
    """``inequality`` over the registered members and over the active members."""
    return {
        population: inequality(dataset, period, population, verbs, heavy_per_week)
        for population in POPULATIONS
    }


METHODS: dict[str, str] = {
    "gini": "Gini coefficient of contributions per member, zeros included: "
    "2·Σ i·x_(i) / (n·Σx) − (n+1)/n, x sorted ascending (0 = equal, (n−1)/n = one person "
    "makes everything); evidence: the top 1 % of contributors",
    "lorenz": f"Lorenz curve: cumulative share of contributions against cumulative share of "
    f"members sorted from least to most contributing, {LORENZ_POINTS} evenly spaced points",
    "top_shares": "share of all contributions made by the top ceil(p % × n) members for p = "
    + ", ".join(f"{p:g}" for p in TOP_PERCENTS),
    "members_for_share": "smallest share of members (most contributing first) who together "
    "make 50 % and 90 % of the contributions",
    "buckets": "lurkers: 0 contributions; heavy: at least max(2, ceil(heavy_per_week × weeks "
    "in the period)) contributions; intermittent: the others. Shares of members and of "
    f"contributions per bucket; {_REFERENCE}",
}

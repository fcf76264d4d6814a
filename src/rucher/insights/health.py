"""Community health: cohort retention, new and inactive members, and ``health_report``,
which gathers every alert of ``health_alerts`` (churn, silent newcomers, unanswered and
duplicate questions, dormant, overgrown and empty new spaces) plus falling retention.

Every threshold is a field of ``HealthParameters`` with a documented default; every alert
carries the ids it was raised from. See docs/insights.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import polars as pl

from rucher.insights.contract import Dataset
from rucher.insights.health_alerts import (
    Alert,
    HealthParameters,
    activity_before,
    churn_alerts,
    clip_unit,
    duplicate_questions,
    resolve_as_of,
    silent_newcomers,
    space_activity,
    space_alerts,
    unanswered_questions,
)
from rucher.insights.profiles import members
from rucher.insights.results import Result, not_enough_data, safe_ratio

CohortBy = Literal["first_activity", "joined"]

WEEK = timedelta(weeks=1)

__all__ = [
    "Alert",
    "HealthParameters",
    "HealthReport",
    "churn_alerts",
    "cohort_retention",
    "duplicate_questions",
    "falling_retention",
    "health_report",
    "new_and_inactive",
    "silent_newcomers",
    "space_activity",
    "space_alerts",
    "unanswered_questions",
]


# --- cohorts ------------------------------------------------------------------------------


def cohort_retention(
    dataset: Dataset,
    as_of: datetime | None = None,
    cohort_by: CohortBy = "first_activity",
    parameters: HealthParameters | None = None,
) -> Result:
    """Members grouped by the week (Monday, UTC) of their first activity or of their joining;
    for each cohort, the share active again in week +k (any event in the k-th week after the
    cohort's week). A share is None while that week is not complete at ``as_of``."""
    params = parameters or HealthParameters()
    as_of = resolve_as_of(dataset, as_of)
    method = (
        f"Cohorts by week of {cohort_by.replace('_', ' ')}; retention at week +k = members of "
        "the cohort with at least one event in the k-th calendar week after it / cohort size."
    )
    if as_of is None:
        return not_enough_data("cohort_retention", method, 0, 1, params.as_dict())
    weeks = pl.col("at").dt.truncate("1w")
    active_weeks = (
        activity_before(dataset, as_of)
        .select(pl.col("actor_id").alias("person_id"), weeks.alias("week"))
        .unique()
    )
    if cohort_by == "joined":
        starts = (
            members(dataset, as_of)
            .lazy()
            .filter(pl.col("registered_at").is_not_null())
            .select("person_id", pl.col("registered_at").alias("at"))
        )
    else:
        starts = active_weeks.group_by("person_id").agg(pl.col("week").min().alias("at"))
    cohorts = starts.select("person_id", pl.col("at").dt.truncate("1w").alias("cohort"))
    offsets = (
        cohorts.join(active_weeks, on="person_id", how="inner")
        .with_columns(((pl.col("week") - pl.col("cohort")).dt.total_days() // 7).alias("k"))
        .filter(pl.col("k").is_in(list(params.retention_weeks)))
        .group_by("cohort", "k")
        .agg(pl.col("person_id").n_unique().alias("retained"))
        .collect()
    )
    sizes = cohorts.group_by("cohort").agg(pl.len().alias("size")).sort("cohort").collect()
    if sizes.height == 0:
        return not_enough_data("cohort_retention", method, 0, 1, params.as_dict())
    retained = {(c, int(k)): int(n) for c, k, n in offsets.iter_rows()}
    rows: list[dict[str, Any]] = []
    for cohort, size in sizes.iter_rows():
        row: dict[str, Any] = {"cohort_week": cohort, "size": int(size)}
        for k in params.retention_weeks:
            complete = cohort + (k + 1) * WEEK <= as_of
            share = safe_ratio(retained.get((cohort, k), 0), size) if complete else None
            row[f"week_{k}"] = share
        rows.append(row)
    summary = {f"week_{k}": _weighted_share(rows, f"week_{k}") for k in params.retention_weeks}
    return Result(
        name="cohort_retention",
        value={"cohorts": rows, "overall": summary},
        method=method,
        parameters={**params.as_dict(), "cohort_by": cohort_by, "as_of": as_of},
        denominator=int(sizes.get_column("size").sum()),
        evidence=[r["cohort_week"] for r in rows],
    )


def _weighted_share(rows: list[dict[str, Any]], column: str) -> float | None:
    complete = [r for r in rows if r[column] is not None]
    total = sum(r["size"] for r in complete)
    return safe_ratio(sum(r[column] * r["size"] for r in complete), total)


def falling_retention(retention: Result, parameters: HealthParameters | None = None) -> list[Alert]:
    """Alert when the recent half of the complete cohorts keeps members at week +1 at least
    ``retention_drop`` (relative) less than the earlier half, cohorts weighted by size."""
    params = parameters or HealthParameters()
    if not retention.ok or not params.retention_weeks:
        return []
    column = f"week_{min(params.retention_weeks)}"
    complete = [r for r in retention.value["cohorts"] if r[column] is not None]
    if len(complete) < 4:
        return []
    half = len(complete) // 2
    earlier = _weighted_share(complete[:half], column)
    recent = _weighted_share(complete[half:], column)
    if not earlier or recent is None:
        return []
    drop = 1.0 - recent / earlier
    if drop < params.retention_drop:
        return []
    return [
        Alert(
            kind="falling_retention",
            subject_type="community",
            subject_id=None,
            space_id=None,
            magnitude=clip_unit(drop),
            facts={"metric": column, "earlier": earlier, "recent": recent, "drop": drop},
            evidence=[],
        )
    ]


def new_and_inactive(
    dataset: Dataset, as_of: datetime | None = None, parameters: HealthParameters | None = None
) -> Result:
    """New members (registered in the period) and inactive ones (active in the previous
    period, no event in this one), with their ids as evidence."""
    params = parameters or HealthParameters()
    as_of = resolve_as_of(dataset, as_of)
    method = (
        f"new = registered (joined_at, else first appearance) in the last {params.period_days} "
        "days; inactive = at least one event in the period before, none in this one"
    )
    if as_of is None:
        return not_enough_data("new_and_inactive", method, 0, 1, params.as_dict())
    period = timedelta(days=params.period_days)
    people = members(dataset, as_of)
    new_ids = people.filter(pl.col("registered_at") >= as_of - period).get_column("person_id")
    events = activity_before(dataset, as_of)
    current = events.filter(pl.col("at") >= as_of - period).select("actor_id").unique()
    previous = (
        events.filter((pl.col("at") >= as_of - 2 * period) & (pl.col("at") < as_of - period))
        .select("actor_id")
        .unique()
    )
    inactive = previous.join(current, on="actor_id", how="anti").collect().get_column("actor_id")
    return Result(
        name="new_and_inactive",
        value={"new": new_ids.len(), "inactive": inactive.len(), "members": people.height},
        method=method,
        parameters={**params.as_dict(), "as_of": as_of},
        denominator=people.height,
        evidence={"new": sorted(new_ids.to_list()), "inactive": sorted(inactive.to_list())},
    )


@dataclass
class HealthReport:
    """Everything the health pass found: the figures and every alert."""

    retention: Result
    members: Result
    alerts: list[Alert]

    def by_kind(self) -> dict[str, list[Alert]]:
        grouped: dict[str, list[Alert]] = {}
        for alert in self.alerts:
            grouped.setdefault(alert.kind, []).append(alert)
        return grouped

    def to_dict(self) -> dict[str, Any]:
        return {
            "retention": self.retention.to_dict(),
            "members": self.members.to_dict(),
            "alerts": [a.to_dict() for a in self.alerts],
        }


def health_report(
    dataset: Dataset,
    as_of: datetime | None = None,
    parameters: HealthParameters | None = None,
    cohort_by: CohortBy = "first_activity",
) -> HealthReport:
    params = parameters or HealthParameters()
    as_of = resolve_as_of(dataset, as_of)
    retention = cohort_retention(dataset, as_of, cohort_by, params)
    alerts = [
        *falling_retention(retention, params),
        *churn_alerts(dataset, as_of, params),
        *silent_newcomers(dataset, as_of, params),
        *unanswered_questions(dataset, as_of, params),
        *duplicate_questions(dataset, as_of, params),
        *space_alerts(dataset, as_of, params),
    ]
    return HealthReport(retention, new_and_inactive(dataset, as_of, params), alerts)

"""Health alerts about people, content and spaces: churn, silent newcomers, unanswered and
duplicate questions, dormant, overgrown and empty new spaces.

Every threshold is a field of ``HealthParameters`` with a documented default; every alert
carries the ids it was raised from. See docs/insights.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, Literal

import polars as pl

from rucher.insights.contract import CONTRIBUTION_VERBS, Dataset
from rucher.insights.profiles import DEFAULT_WRITE_VERBS, members, reference_time
from rucher.insights.results import jsonable

SubjectType = Literal["person", "content", "space", "community"]


@dataclass(frozen=True)
class HealthParameters:
    """All thresholds of the health detectors (defaults documented in the doc file)."""

    period_days: int = 28
    churn_min_previous_active_days: int = 3
    churn_drop: float = 0.75
    dormant_days: int = 30
    unanswered_hours: int = 48
    unanswered_max_age_days: int = 90
    newcomer_days: int = 14
    newcomer_window_days: int = 90
    dunbar_limit: int = 150
    new_space_days: int = 14
    new_space_min_contributions: int = 3
    duplicate_window_days: int = 90
    retention_weeks: tuple[int, ...] = (1, 4)
    retention_drop: float = 0.3
    write_verbs: frozenset[str] = DEFAULT_WRITE_VERBS

    def __post_init__(self) -> None:
        positive = (
            self.period_days,
            self.churn_min_previous_active_days,
            self.dormant_days,
            self.unanswered_hours,
            self.newcomer_days,
            self.dunbar_limit,
            self.new_space_days,
        )
        if min(positive) < 1:
            raise ValueError("period, day, hour and size thresholds must be >= 1")
        if not 0.0 < self.churn_drop < 1.0 or not 0.0 < self.retention_drop < 1.0:
            raise ValueError("churn_drop and retention_drop must be in (0, 1)")
        if self.newcomer_window_days <= self.newcomer_days:
            raise ValueError("newcomer_window_days must exceed newcomer_days")

    def as_dict(self) -> dict[str, Any]:
        return {k: sorted(v) if isinstance(v, frozenset) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Alert:
    """One problem to act on. ``magnitude`` (0..1) ranks alerts of the same kind."""

    kind: str
    subject_type: SubjectType
    subject_id: int | None
    space_id: int | None
    magnitude: float
    facts: dict[str, Any] = field(default_factory=dict)
    evidence: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        # The results module's JSON conversion handles datetimes, numpy scalars and NaN and
        # builds new containers, so the deep copy of ``asdict`` is not needed (with thousands
        # of alerts it was most of the health section's time).
        converted: dict[str, Any] = jsonable(
            {item.name: getattr(self, item.name) for item in fields(self)}
        )
        return converted


def clip_unit(value: float) -> float:
    return max(0.0, min(1.0, value))


def resolve_as_of(dataset: Dataset, as_of: datetime | None) -> datetime | None:
    return as_of or reference_time(dataset)


def activity_before(dataset: Dataset, as_of: datetime) -> pl.LazyFrame:
    return dataset.events.lazy().filter(pl.col("at") < as_of)


def contributions_before(
    dataset: Dataset, as_of: datetime, params: HealthParameters
) -> pl.LazyFrame:
    """(space_id, person_id, at, id) of every written contribution before ``as_of``.

    The content table is authoritative when it has rows (its ``posted``/``answered``… events
    would count twice); write verbs without content rows (``messaged``) are always added.
    Imported datasets with events only fall back on the write events.
    """
    verbs = set(params.write_verbs)
    if dataset.content.height:
        verbs -= CONTRIBUTION_VERBS
    content = dataset.content.lazy().select(
        "space_id",
        pl.col("author_id").alias("person_id"),
        pl.col("created_at").alias("at"),
        pl.col("content_id").alias("id"),
    )
    written = (
        dataset.events.lazy()
        .filter(pl.col("verb").is_in(sorted(verbs)))
        .select(
            "space_id",
            pl.col("actor_id").alias("person_id"),
            "at",
            pl.col("event_id").alias("id"),
        )
    )
    return pl.concat([content, written]).filter(pl.col("at") < as_of)


# --- alerts about people --------------------------------------------------------------------


def churn_alerts(
    dataset: Dataset, as_of: datetime | None = None, parameters: HealthParameters | None = None
) -> list[Alert]:
    """Members active on at least ``churn_min_previous_active_days`` days in the previous
    period whose active days this period are zero (``churn_stopped``) or fell by at least
    ``churn_drop`` (``churn_dropped``). The alert sits in the member's main space of the
    previous period (most events there), None when they used no space."""
    params = parameters or HealthParameters()
    as_of = resolve_as_of(dataset, as_of)
    if as_of is None:
        return []
    period = timedelta(days=params.period_days)
    events = activity_before(dataset, as_of).filter(pl.col("at") >= as_of - 2 * period)
    day = pl.col("at").dt.date()
    per_person = (
        events.with_columns((pl.col("at") >= as_of - period).alias("current"))
        .group_by("actor_id")
        .agg(
            day.filter(~pl.col("current")).n_unique().alias("previous_days"),
            day.filter(pl.col("current")).n_unique().alias("current_days"),
            pl.col("at").max().alias("last_at"),
            pl.col("space_id")
            .filter(~pl.col("current") & pl.col("space_id").is_not_null())
            .mode()
            .min()
            .alias("main_space"),
        )
        .filter(
            (pl.col("previous_days") >= params.churn_min_previous_active_days)
            & (pl.col("current_days") <= (1 - params.churn_drop) * pl.col("previous_days"))
        )
        .sort("previous_days", "actor_id", descending=[True, False])
        .collect()
    )
    alerts = []
    for actor, before, now, last_at, space in per_person.iter_rows():
        drop = 1.0 - now / before
        alerts.append(
            Alert(
                kind="churn_stopped" if now == 0 else "churn_dropped",
                subject_type="person",
                subject_id=int(actor),
                space_id=None if space is None else int(space),
                magnitude=clip_unit(drop * min(1.0, before / params.period_days * 2)),
                facts={
                    "previous_active_days": int(before),
                    "current_active_days": int(now),
                    "drop": drop,
                    "last_activity_at": last_at,
                },
                evidence=[int(actor)],
            )
        )
    return alerts


def silent_newcomers(
    dataset: Dataset, as_of: datetime | None = None, parameters: HealthParameters | None = None
) -> list[Alert]:
    """People registered between ``newcomer_window_days`` and ``newcomer_days`` ago who have
    not written anything yet. Placed in the first space they joined, if any."""
    params = parameters or HealthParameters()
    as_of = resolve_as_of(dataset, as_of)
    if as_of is None:
        return []
    people = members(dataset, as_of).filter(
        (pl.col("registered_at") <= as_of - timedelta(days=params.newcomer_days))
        & (pl.col("registered_at") > as_of - timedelta(days=params.newcomer_window_days))
    )
    writers = contributions_before(dataset, as_of, params).select("person_id").unique()
    quiet = people.lazy().join(writers, on="person_id", how="anti")
    # Only the silent newcomers' own events are sorted, not the whole history.
    first_space = (
        activity_before(dataset, as_of)
        .filter(pl.col("space_id").is_not_null())
        .join(quiet.select("person_id"), left_on="actor_id", right_on="person_id", how="semi")
        .sort("at")
        .group_by(pl.col("actor_id").alias("person_id"))
        .agg(pl.col("space_id").first())
    )
    silent = (
        quiet.join(first_space, on="person_id", how="left")
        .sort("registered_at", "person_id")
        .collect()
    )
    window = params.newcomer_window_days - params.newcomer_days
    alerts = []
    for person, registered, space in silent.select(
        "person_id", "registered_at", "space_id"
    ).iter_rows():
        days = (as_of - registered).total_seconds() / 86400
        alerts.append(
            Alert(
                kind="silent_newcomer",
                subject_type="person",
                subject_id=int(person),
                space_id=None if space is None else int(space),
                # Freshest newcomers first: the welcome matters most in the first weeks.
                magnitude=clip_unit(1.0 - (days - params.newcomer_days) / window),
                facts={"registered_at": registered, "days_since_registration": days},
                evidence=[int(person)],
            )
        )
    return alerts


# --- alerts about content -------------------------------------------------------------------


def unanswered_questions(
    dataset: Dataset, as_of: datetime | None = None, parameters: HealthParameters | None = None
) -> list[Alert]:
    """Questions older than ``unanswered_hours`` (and younger than ``unanswered_max_age_days``)
    with no answer or comment from someone other than the asker before ``as_of``."""
    params = parameters or HealthParameters()
    as_of = resolve_as_of(dataset, as_of)
    if as_of is None:
        return []
    content = dataset.content.lazy().filter(pl.col("created_at") < as_of)
    questions = content.filter(
        (pl.col("kind") == "question")
        & (pl.col("created_at") <= as_of - timedelta(hours=params.unanswered_hours))
        & (pl.col("created_at") > as_of - timedelta(days=params.unanswered_max_age_days))
    ).select("content_id", "author_id", "space_id", "created_at")
    replies = content.filter(pl.col("kind").is_in(["answer", "comment"])).select(
        pl.col("author_id").alias("replier"),
        pl.coalesce("root_id", "parent_id").alias("question_id"),
    )
    # A reply on a reply still belongs to the question: root_id first, parent_id as fallback.
    answered = (
        questions.join(replies, left_on="content_id", right_on="question_id", how="inner")
        .filter(pl.col("replier") != pl.col("author_id"))
        .select("content_id")
        .unique()
    )
    open_questions = (
        questions.join(answered, on="content_id", how="anti")
        .sort("created_at", "content_id")
        .collect()
    )
    alerts = []
    for content_id, author, space, created in open_questions.iter_rows():
        hours = (as_of - created).total_seconds() / 3600
        alerts.append(
            Alert(
                kind="unanswered_question",
                subject_type="content",
                subject_id=int(content_id),
                space_id=None if space is None else int(space),
                magnitude=clip_unit(hours / (params.unanswered_hours * 7)),
                facts={"asked_by": author, "asked_at": created, "hours_waiting": hours},
                evidence=[int(content_id)],
            )
        )
    return alerts


def duplicate_questions(
    dataset: Dataset, as_of: datetime | None = None, parameters: HealthParameters | None = None
) -> list[Alert]:
    """A question whose normalised text (lower case, letters and digits only) equals an
    earlier question of the same space asked within ``duplicate_window_days``."""
    params = parameters or HealthParameters()
    as_of = resolve_as_of(dataset, as_of)
    if as_of is None:
        return []
    questions = (
        dataset.content.lazy()
        .filter(
            (pl.col("kind") == "question")
            & (pl.col("created_at") < as_of)
            & (pl.col("created_at") >= as_of - timedelta(days=params.duplicate_window_days))
            & pl.col("text").is_not_null()
        )
        .with_columns(
            pl.col("text")
            .str.to_lowercase()
            .str.replace_all(r"[^\p{L}\p{N}]+", " ")
            .str.strip_chars()
            .alias("key")
        )
        .filter(pl.col("key") != "")
        .sort("created_at", "content_id")
        .group_by("space_id", "key", maintain_order=True)
        .agg(pl.col("content_id"))
        .filter(pl.col("content_id").list.len() > 1)
        .collect()
    )
    alerts = []
    for space, _key, ids in questions.iter_rows():
        original, *copies = (int(i) for i in ids)
        for copy in copies:
            alerts.append(
                Alert(
                    kind="duplicate_question",
                    subject_type="content",
                    subject_id=copy,
                    space_id=None if space is None else int(space),
                    magnitude=0.5,
                    facts={"original_id": original},
                    evidence=[copy, original],
                )
            )
    return alerts


# --- alerts about spaces --------------------------------------------------------------------


def space_activity(
    dataset: Dataset, as_of: datetime, parameters: HealthParameters | None = None
) -> pl.DataFrame:
    """One row per space created before ``as_of``: last contribution, last event of any kind,
    contributions and distinct active members over the period."""
    params = parameters or HealthParameters()
    period_start = as_of - timedelta(days=params.period_days)
    spaces = dataset.spaces.lazy().filter(
        pl.col("created_at").is_null() | (pl.col("created_at") < as_of)
    )
    written = (
        contributions_before(dataset, as_of, params)
        .filter(pl.col("space_id").is_not_null())
        .group_by("space_id")
        .agg(
            pl.col("at").max().alias("last_contribution_at"),
            (pl.col("at") >= period_start).sum().alias("period_contributions"),
            pl.len().alias("contributions"),
        )
    )
    events = activity_before(dataset, as_of).filter(pl.col("space_id").is_not_null())
    any_event = events.group_by("space_id").agg(
        pl.col("at").max().alias("last_event_at"),
        pl.col("actor_id").filter(pl.col("at") >= period_start).n_unique().alias("active"),
    )
    return (
        spaces.select("space_id", "name", "created_at")
        .join(written, on="space_id", how="left")
        .join(any_event, on="space_id", how="left")
        .with_columns(
            pl.col("period_contributions", "contributions", "active").fill_null(0).cast(pl.Int64)
        )
        .sort("space_id")
        .collect()
    )


def space_alerts(
    dataset: Dataset, as_of: datetime | None = None, parameters: HealthParameters | None = None
) -> list[Alert]:
    """Dormant spaces (no contribution for ``dormant_days``: ``dormant_space_alive`` when
    people still read or react there in that time, ``dormant_space`` otherwise), spaces past
    ``dunbar_limit`` active members in the period (``oversized_space``) and spaces created
    less than ``new_space_days`` ago with fewer than ``new_space_min_contributions``
    contributions (``empty_new_space``)."""
    params = parameters or HealthParameters()
    as_of = resolve_as_of(dataset, as_of)
    if as_of is None:
        return []
    table = space_activity(dataset, as_of, params)
    dormant_since = as_of - timedelta(days=params.dormant_days)
    new_since = as_of - timedelta(days=params.new_space_days)
    alerts: list[Alert] = []
    for row in table.iter_rows(named=True):
        space = int(row["space_id"])
        created = row["created_at"]
        last_written = row["last_contribution_at"]
        reference = last_written or created
        is_new = created is not None and created >= new_since
        if is_new and row["contributions"] < params.new_space_min_contributions:
            alerts.append(
                Alert(
                    "empty_new_space",
                    "space",
                    space,
                    space,
                    clip_unit(1.0 - row["contributions"] / params.new_space_min_contributions),
                    {"created_at": created, "contributions": row["contributions"]},
                    [space],
                )
            )
        elif reference is not None and reference < dormant_since:
            last_event = row["last_event_at"]
            alive = last_event is not None and last_event >= dormant_since
            idle_days = (as_of - reference).total_seconds() / 86400
            alerts.append(
                Alert(
                    "dormant_space_alive" if alive else "dormant_space",
                    "space",
                    space,
                    space,
                    clip_unit(idle_days / (params.dormant_days * 4)),
                    {
                        "last_contribution_at": last_written,
                        "last_event_at": last_event,
                        "days_without_contribution": idle_days,
                    },
                    [space],
                )
            )
        if row["active"] > params.dunbar_limit:
            alerts.append(
                Alert(
                    "oversized_space",
                    "space",
                    space,
                    space,
                    clip_unit(row["active"] / params.dunbar_limit - 1.0),
                    {"active_members": row["active"], "limit": params.dunbar_limit},
                    [space],
                )
            )
    return alerts

"""Engagement: DAU/WAU/MAU, stickiness, active and new members, contributions, reactions,
reply rate, answered questions and time to first response, each against the previous period.

Public API:

- ``engagement_summary(dataset, period, by=None, active_verbs=None) -> dict[str, Result]``:
  one Result per metric (see ``METRICS``). With ``by=None`` each value is
  ``{"current", "previous", "change", "relative_change"}``; with ``by`` in ``"space"``,
  ``"department"``, ``"organisation"`` it is a list of those dicts, each with its ``group``.
- ``engagement_table(dataset, period, by=None, active_verbs=None) -> pl.DataFrame``: the
  same figures as a frame, one row per group, columns ``<metric>`` and ``<metric>_previous``.
- ``engagement_series(dataset, period, granularity="week", by=None, active_verbs=None)
  -> Result``: active members, new members, contributions and reactions per day, week or
  month (buckets with no activity are zeros), for trend charts.
- ``activity(dataset, active_verbs=None) -> pl.DataFrame``: who was active when and where
  (``person_id, at, space_id``), the definition every module shares.

Definitions (docs/insights.md has the formulas):

- *Active*: a person is active on a day when they did at least one participating action:
  an event whose verb is in ``ACTIVE_VERBS`` (every verb except reading, signing in,
  searching, leaving, muting and withdrawing, see ``PASSIVE_VERBS``) or writing a content item.
- *System accounts* (negative person ids, see ``is_person``) are never counted as people;
  their content and reactions still count in the volumes.
- *Group attribution*: per space, the event's or content's space; per department, the
  actor's or author's department; per organisation, the organisation of partners and guests
  only (employees are not in any organisation group). Rows without a group are left out.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

import polars as pl

from rucher.insights.contract import VERBS, Dataset, is_person
from rucher.insights.periods import Granularity, Period, bucket, bucket_starts, period_mask
from rucher.insights.results import Result, not_enough_data, safe_ratio

GroupBy = Literal["space", "department", "organisation"]

# Reading, signing in and searching are consumption; leaving, muting and unfollowing are
# withdrawal; keeping contacts, API tokens and webhooks is housekeeping; flagging and
# moderating are keeping the place (a flag is a report, not a contribution; a decision is
# a moderator's duty). None is participation, so none makes a member "active".
PASSIVE_VERBS: frozenset[str] = frozenset(
    {
        "viewed",
        "logged_in",
        "searched",
        "left_space",
        "muted",
        "unmuted",
        "unfollowed",
        "unreacted",
        "added_contact",
        "removed_contact",
        "created_token",
        "revoked_token",
        "flagged",
        "moderated",
        "added_watched_word",
        "changed_watched_word",
        "removed_watched_word",
        "changed_publishing_rules",
        "created_webhook",
        "changed_webhook",
        "deleted_webhook",
        "rotated_webhook_secret",
        "sent_webhook",
        "published_charter",
        "accepted_charter",
        "changed_space_rules",
        "requested_export",
        "erased_person",
        "enabled_two_factor",
        "disabled_two_factor",
        "renewed_recovery_codes",
        "changed_privacy",
        "changed_retention",
        "applied_retention",
        "earned_badge",
        "changed_recognition",
        "pinned",
        "unpinned",
    }
)
ACTIVE_VERBS: frozenset[str] = VERBS - PASSIVE_VERBS
EXTERNAL_KINDS: tuple[str, ...] = ("partner", "guest")
ROOT_KINDS: tuple[str, ...] = ("post", "question")
REPLY_KINDS: tuple[str, ...] = ("comment", "answer")
WRITTEN_KINDS: tuple[str, ...] = ("post", "question", "comment", "answer", "poll")
# When a dataset has events but no content table, contributions are read from these verbs.
VERB_KIND: dict[str, str] = {
    "posted": "post",
    "asked": "question",
    "commented": "comment",
    "answered": "answer",
}
EVIDENCE_CAP = 100
WAU_DAYS = 7
MAU_DAYS = 30

COUNT_METRICS: tuple[str, ...] = (
    "active_members",
    "new_members",
    "contributions",
    *(f"contributions_{kind}" for kind in WRITTEN_KINDS),
    "reactions",
    "roots",
    "roots_replied",
    "questions",
    "questions_answered",
)
RATE_METRICS: tuple[str, ...] = (
    "dau",
    "wau",
    "mau",
    "stickiness",
    "reply_rate",
    "answered_share",
    "median_hours_to_first_response",
)
METRICS: tuple[str, ...] = RATE_METRICS + COUNT_METRICS

_ACTIVE = "active = did at least one participating action (any verb but {passive}) or wrote content"
METHODS: dict[str, str] = {
    "dau": "mean over the period's days of the people active that day; " + _ACTIVE,
    "wau": "mean over the period's days of the people active in the 7 days ending that day",
    "mau": "mean over the period's days of the people active in the 30 days ending that day",
    "stickiness": "DAU / MAU (both averaged over the period's days)",
    "active_members": "distinct people active at least once in the period; " + _ACTIVE,
    "new_members": "people first seen in the period: the earliest of joined_at, their first "
    "event as actor (any verb) and their first content; per space, their first event or "
    "content in that space. Being only a target (messaged, mentioned) is not being seen",
    "contributions": "content items written in the period (posts, questions, comments, "
    "answers, polls)",
    "reactions": "'reacted' events in the period",
    "roots": "posts and questions written in the period",
    "roots_replied": "posts and questions of the period with a comment or answer from "
    "someone other than their author before the period's end",
    "reply_rate": "roots_replied / roots: share of the period's posts and questions that got "
    "a comment or answer from someone else before the period's end",
    "questions": "questions written in the period",
    "questions_answered": "questions of the period with an answer from someone other than "
    "the asker before the period's end",
    "answered_share": "questions_answered / questions",
    "median_hours_to_first_response": "median hours from a post or question of the period to "
    "its first comment or answer by someone else, over those that got one before the end",
}
for _kind in WRITTEN_KINDS:
    METHODS[f"contributions_{_kind}"] = f"content items of kind '{_kind}' written in the period"
DENOMINATORS: dict[str, str] = {
    "dau": "days",
    "wau": "days",
    "mau": "days",
    "stickiness": "mau",
    "reply_rate": "roots",
    "answered_share": "questions",
    "median_hours_to_first_response": "roots_replied",
}


def activity(dataset: Dataset, active_verbs: Collection[str] | None = None) -> pl.DataFrame:
    """Participating actions: ``person_id, at, space_id`` from events and written content."""
    return _activity(dataset, active_verbs).collect()


def _activity(dataset: Dataset, active_verbs: Collection[str] | None) -> pl.LazyFrame:
    verbs = sorted(ACTIVE_VERBS if active_verbs is None else active_verbs)
    from_events = dataset.events.lazy().filter(pl.col("verb").is_in(verbs))
    return pl.concat(
        [
            from_events.select(pl.col("actor_id").alias("person_id"), "at", "space_id"),
            dataset.content.lazy().select(
                pl.col("author_id").alias("person_id"), pl.col("created_at").alias("at"), "space_id"
            ),
        ]
    ).filter(is_person(pl.col("person_id")))


def written(dataset: Dataset) -> tuple[pl.DataFrame, str]:
    """Written contributions ``person_id, at, space_id, kind, content_id`` and their source.

    The content table when it has rows; otherwise the events of the writing verbs (datasets
    imported as events only)."""
    if dataset.content.height:
        frame = dataset.content.select(
            pl.col("author_id").alias("person_id"),
            pl.col("created_at").alias("at"),
            "space_id",
            "kind",
            "content_id",
        )
        return frame, "content table"
    frame = dataset.events.filter(pl.col("verb").is_in(list(VERB_KIND))).select(
        pl.col("actor_id").alias("person_id"),
        "at",
        "space_id",
        pl.col("verb").replace_strict(VERB_KIND, return_dtype=pl.Utf8).alias("kind"),
        pl.col("object_id").alias("content_id"),
    )
    return frame, "events " + "/".join(VERB_KIND)


def with_group(
    frame: pl.LazyFrame, by: GroupBy | None, people: pl.DataFrame, person: str = "person_id"
) -> pl.LazyFrame:
    """Add a ``group`` column (see the module's "group attribution") and drop ungrouped rows."""
    if by is None:
        return frame.with_columns(pl.lit("all").alias("group"))
    if by == "space":
        return frame.with_columns(pl.col("space_id").alias("group")).filter(
            pl.col("group").is_not_null()
        )
    mapping = _group_mapping(people, by)
    return frame.join(mapping.lazy(), left_on=person, right_on="_person", how="inner")


def _group_mapping(people: pl.DataFrame, by: GroupBy) -> pl.DataFrame:
    if by == "department":
        chosen = people
        column = "department"
    elif by == "organisation":
        chosen = people.filter(pl.col("kind").is_in(EXTERNAL_KINDS))
        column = "organisation"
    else:
        raise ValueError(f"by must be None, 'space', 'department' or 'organisation', not {by!r}")
    return (
        chosen.filter(pl.col(column).is_not_null())
        .unique("person_id", keep="first")
        .select(pl.col("person_id").alias("_person"), pl.col(column).alias("group"))
    )


def _known_groups(dataset: Dataset, by: GroupBy | None) -> pl.DataFrame:
    if by is None:
        return pl.DataFrame({"group": ["all"]})
    if by == "space":
        return dataset.spaces.select(pl.col("space_id").alias("group")).unique()
    return _group_mapping(dataset.people, by).select("group").unique()


def _active_days(grouped_activity: pl.DataFrame) -> pl.DataFrame:
    """``group, person_id, day, next_day``: each distinct active day (days since 1970-01-01)
    and the same person's next active day in the group (null for the last)."""
    return (
        grouped_activity.lazy()
        .select("group", "person_id", pl.col("at").dt.epoch("d").cast(pl.Int64).alias("day"))
        .unique()
        .sort("group", "person_id", "day")
        .with_columns(pl.col("day").shift(-1).over("group", "person_id").alias("next_day"))
        .collect()
    )


def _rolling_active(days: pl.DataFrame, period: Period, window: int) -> pl.LazyFrame:
    """Mean over the period's days of the people active in the ``window`` days ending that day.

    Each active day ``a`` of a person covers the days ``a .. a+window-1``; clipping each
    cover at the person's next active day makes the covers disjoint, so the sum of their
    overlaps with the period counts each (person, day) once without a day-by-day grid.
    """
    first, last = period.first_day, period.last_day
    sentinel = last + window + 1
    cover_end = pl.min_horizontal(
        pl.col("day") + window - 1, pl.col("next_day").fill_null(sentinel) - 1
    )
    overlap = (
        pl.min_horizontal(cover_end, pl.lit(last)) - pl.max_horizontal("day", pl.lit(first)) + 1
    ).clip(lower_bound=0)
    return (
        days.lazy()
        .filter((pl.col("day") >= first - window + 1) & (pl.col("day") <= last))
        .group_by("group")
        .agg((overlap.sum() / period.days).alias(_window_name(window)))
    )


def _window_name(window: int) -> str:
    return {1: "dau", WAU_DAYS: "wau", MAU_DAYS: "mau"}[window]


def _first_seen(dataset: Dataset, by: GroupBy | None) -> pl.LazyFrame:
    """Per (group, person): the earliest sign of the person (see METHODS['new_members'])."""
    sources = [
        dataset.events.lazy().select(pl.col("actor_id").alias("person_id"), "at", "space_id"),
        dataset.content.lazy().select(
            pl.col("author_id").alias("person_id"), pl.col("created_at").alias("at"), "space_id"
        ),
    ]
    if by != "space":
        sources.append(
            dataset.people.lazy()
            .filter(pl.col("joined_at").is_not_null())
            .select(
                "person_id",
                pl.col("joined_at").alias("at"),
                pl.lit(None, dtype=pl.Int64).alias("space_id"),
            )
        )
    return (
        with_group(pl.concat(sources).filter(is_person(pl.col("person_id"))), by, dataset.people)
        .group_by("group", "person_id")
        .agg(pl.col("at").min())
    )


def _replies(dataset: Dataset, period: Period) -> pl.DataFrame:
    """Per root written in the period: kind, author, space, first reply, answered or not."""
    content = dataset.content.lazy()
    roots = content.filter(pl.col("kind").is_in(ROOT_KINDS) & period_mask(period, "created_at"))
    replies = content.filter(
        pl.col("kind").is_in(REPLY_KINDS) & (pl.col("created_at") < period.end)
    ).select(
        pl.coalesce("root_id", "parent_id").alias("root"),
        pl.col("author_id").alias("reply_author"),
        pl.col("created_at").alias("reply_at"),
        pl.col("kind").alias("reply_kind"),
    )
    first = (
        roots.select("content_id", "author_id", "created_at")
        .join(replies, left_on="content_id", right_on="root", how="inner")
        .filter(
            (pl.col("reply_author") != pl.col("author_id"))
            & (pl.col("reply_at") >= pl.col("created_at"))
        )
        .group_by("content_id")
        .agg(
            pl.col("reply_at").min().alias("first_reply_at"),
            (pl.col("reply_kind") == "answer").any().alias("answered"),
        )
    )
    return (
        roots.select(
            "content_id", "kind", pl.col("author_id").alias("person_id"), "space_id", "created_at"
        )
        .join(first, on="content_id", how="left")
        .with_columns(
            pl.col("first_reply_at").is_not_null().alias("replied"),
            pl.col("answered").fill_null(False),
            (
                (pl.col("first_reply_at") - pl.col("created_at")).dt.total_microseconds()
                / 3_600_000_000
            ).alias("hours_to_first_response"),
        )
        .collect()
    )


def _period_table(
    dataset: Dataset,
    period: Period,
    by: GroupBy | None,
    grouped_activity: pl.DataFrame,
    active_days: pl.DataFrame,
    first_seen: pl.DataFrame,
) -> pl.DataFrame:
    """Every metric of one period; the activity, active days and first sightings are shared
    by both periods, so the caller computes them once."""
    people = dataset.people
    acts = grouped_activity.lazy()
    frames: list[pl.LazyFrame] = [
        _rolling_active(active_days, period, w) for w in (1, WAU_DAYS, MAU_DAYS)
    ]
    frames.append(
        acts.filter(period_mask(period))
        .group_by("group")
        .agg(pl.col("person_id").n_unique().alias("active_members"))
    )
    frames.append(
        first_seen.lazy()
        .filter(period_mask(period))
        .group_by("group")
        .agg(pl.len().alias("new_members"))
    )
    contributions, _ = written(dataset)
    frames.append(
        with_group(contributions.lazy().filter(period_mask(period)), by, people)
        .group_by("group")
        .agg(
            pl.len().alias("contributions"),
            *((pl.col("kind") == k).sum().alias(f"contributions_{k}") for k in WRITTEN_KINDS),
        )
    )
    reactions = dataset.events.lazy().filter((pl.col("verb") == "reacted") & period_mask(period))
    frames.append(
        with_group(reactions.rename({"actor_id": "person_id"}), by, people)
        .group_by("group")
        .agg(pl.len().alias("reactions"))
    )
    frames.append(
        with_group(_replies(dataset, period).lazy(), by, people)
        .group_by("group")
        .agg(
            pl.len().alias("roots"),
            pl.col("replied").sum().alias("roots_replied"),
            (pl.col("kind") == "question").sum().alias("questions"),
            ((pl.col("kind") == "question") & pl.col("answered")).sum().alias("questions_answered"),
            pl.col("hours_to_first_response").median().alias("median_hours_to_first_response"),
        )
    )
    table = _known_groups(dataset, by).lazy()
    group_dtype = table.collect_schema()["group"]
    collected = pl.collect_all(
        [frame.with_columns(pl.col("group").cast(group_dtype)) for frame in frames]
    )
    for frame in collected:
        table = table.join(frame.lazy(), on="group", how="full", coalesce=True)
    return (
        table.with_columns(pl.col(name).fill_null(0).cast(pl.Int64) for name in COUNT_METRICS)
        .with_columns(pl.col(name).fill_null(0.0) for name in ("dau", "wau", "mau"))
        .with_columns(
            _ratio("dau", "mau").alias("stickiness"),
            _ratio("roots_replied", "roots").alias("reply_rate"),
            _ratio("questions_answered", "questions").alias("answered_share"),
        )
        .select("group", *METRICS)
        .sort("group")
        .collect()
    )


def _ratio(numerator: str, denominator: str) -> pl.Expr:
    return (
        pl.when(pl.col(denominator) > 0)
        .then(pl.col(numerator) / pl.col(denominator))
        .otherwise(None)
        .cast(pl.Float64)
    )


def engagement_table(
    dataset: Dataset,
    period: Period,
    by: GroupBy | None = None,
    active_verbs: Collection[str] | None = None,
) -> pl.DataFrame:
    """One row per group: every metric of ``period`` and, suffixed ``_previous``, of the
    period of the same length just before it."""
    # Whole calendar days: the rolling counts cover every day the periods touch, even when
    # a period starts or ends mid-day, plus the 30 days the first one looks back on.
    first_day = period.previous().first_day - MAU_DAYS + 1
    day = pl.col("at").dt.epoch("d")
    grouped_activity = with_group(
        _activity(dataset, active_verbs).filter((day >= first_day) & (day <= period.last_day)),
        by,
        dataset.people,
    ).collect()
    first_seen = _first_seen(dataset, by).collect()
    active_days = _active_days(grouped_activity)
    current, previous = (
        _period_table(dataset, chosen, by, grouped_activity, active_days, first_seen)
        for chosen in (period, period.previous())
    )
    joined = current.join(
        previous.rename({m: f"{m}_previous" for m in METRICS}),
        on="group",
        how="full",
        coalesce=True,
    )
    return joined.with_columns(
        pl.col(name).fill_null(0) for m in COUNT_METRICS for name in (m, f"{m}_previous")
    ).sort("group")


def engagement_summary(
    dataset: Dataset,
    period: Period,
    by: GroupBy | None = None,
    active_verbs: Collection[str] | None = None,
) -> dict[str, Result]:
    """Every metric of ``METRICS`` as a Result, with its change against the previous period."""
    table = engagement_table(dataset, period, by, active_verbs)
    verbs = sorted(ACTIVE_VERBS if active_verbs is None else active_verbs)
    passive = ", ".join(sorted(VERBS - set(verbs)))
    parameters: dict[str, Any] = {
        "period": period.to_dict(),
        "previous_period": period.previous().to_dict(),
        "by": by,
        "active_verbs": verbs,
        "contributions_source": written(dataset)[1],
    }
    evidence = _overall_evidence(dataset, period) if by is None else None
    results: dict[str, Result] = {}
    for metric in METRICS:
        method = METHODS[metric].replace("{passive}", passive or "none")
        name = f"engagement.{metric}"
        rows = [_comparison(row, metric) for row in table.iter_rows(named=True)]
        if by is None:
            row = rows[0]
            denominator = _denominator(table.row(0, named=True), metric, period)
            if row["current"] is None:
                missing = not_enough_data(name, method, 0, 1, parameters)
                missing.denominator = denominator
                results[metric] = missing
                continue
            results[metric] = Result(
                name=name,
                value=row,
                method=method,
                parameters=parameters,
                denominator=denominator,
                evidence=evidence.get(metric) if evidence else None,
            )
        else:
            results[metric] = Result(
                name=name,
                value=rows,
                method=method + f"; one row per {by}",
                parameters=parameters,
                denominator={"groups": len(rows)},
            )
    return results


def _comparison(row: dict[str, Any], metric: str) -> dict[str, Any]:
    current, previous = row[metric], row[f"{metric}_previous"]
    change = None if current is None or previous is None else current - previous
    relative = None if change is None else safe_ratio(change, previous)
    return {
        "group": row["group"],
        "current": current,
        "previous": previous,
        "change": change,
        "relative_change": relative,
    }


def _denominator(row: dict[str, Any], metric: str, period: Period) -> Any:
    source = DENOMINATORS.get(metric)
    if source is None:
        return None
    if source == "days":
        return {"current": period.days, "previous": period.previous().days}
    return {"current": row[source], "previous": row[f"{source}_previous"]}


def _overall_evidence(dataset: Dataset, period: Period) -> dict[str, Any]:
    """Ids a community manager can act on: the roots and questions still without a reply."""
    roots = _replies(dataset, period)
    unreplied = roots.filter(~pl.col("replied")).sort("created_at")
    unanswered = roots.filter((pl.col("kind") == "question") & ~pl.col("answered")).sort(
        "created_at"
    )
    return {
        "reply_rate": {
            "unreplied_content_ids": unreplied["content_id"].head(EVIDENCE_CAP).to_list()
        },
        "answered_share": {
            "unanswered_question_ids": unanswered["content_id"].head(EVIDENCE_CAP).to_list()
        },
    }


def engagement_series(
    dataset: Dataset,
    period: Period,
    granularity: Granularity = "week",
    by: GroupBy | None = None,
    active_verbs: Collection[str] | None = None,
) -> Result:
    """Per bucket (and group): active members, new members, contributions, reactions.

    Buckets are calendar days, ISO weeks (Monday) or months intersected with the period: the
    first and last may be partial, which a chart should say."""
    people = dataset.people
    starts = bucket_starts(period, granularity)
    known = _known_groups(dataset, by)

    def per_bucket(grouped: pl.LazyFrame, name: str, distinct: bool) -> pl.LazyFrame:
        counted = pl.col("person_id").n_unique() if distinct else pl.len()
        return (
            grouped.filter(period_mask(period))
            .with_columns(
                bucket("at", granularity).alias("bucket"),
                pl.col("group").cast(known.schema["group"]),
            )
            .group_by("bucket", "group")
            .agg(counted.cast(pl.Int64).alias(name))
        )

    contributions, source = written(dataset)
    reactions = dataset.events.lazy().filter(pl.col("verb") == "reacted")
    frames = pl.collect_all(
        [
            per_bucket(
                with_group(_activity(dataset, active_verbs), by, people),
                "active_members",
                True,
            ),
            per_bucket(_first_seen(dataset, by), "new_members", False),
            per_bucket(with_group(contributions.lazy(), by, people), "contributions", False),
            per_bucket(
                with_group(reactions.rename({"actor_id": "person_id"}), by, people),
                "reactions",
                False,
            ),
        ]
    )
    # Every (bucket, group) pair appears, zeros included, so a chart has no gaps.
    groups = pl.concat([known, *(f.select("group") for f in frames)]).unique()
    table = (
        pl.DataFrame({"bucket": starts}, schema={"bucket": pl.Datetime("us", "UTC")})
        .join(groups, how="cross")
        .lazy()
    )
    for frame in frames:
        table = table.join(frame.lazy(), on=["bucket", "group"], how="left")
    names = ("active_members", "new_members", "contributions", "reactions")
    rows = (
        table.with_columns(pl.col(n).fill_null(0) for n in names)
        .sort("group", "bucket")
        .collect()
        .to_dicts()
    )
    if by is None:
        for row in rows:
            del row["group"]
    verbs = sorted(ACTIVE_VERBS if active_verbs is None else active_verbs)
    return Result(
        name="engagement.series",
        value=rows,
        method=(
            f"per {granularity} bucket: distinct active people ({_ACTIVE.split('; ')[0]}), "
            "people first seen, content items written, 'reacted' events"
        ).replace("{passive}", ", ".join(sorted(VERBS - set(verbs))) or "none"),
        parameters={
            "period": period.to_dict(),
            "granularity": granularity,
            "by": by,
            "active_verbs": verbs,
            "contributions_source": source,
        },
        denominator={"buckets": len(starts)},
    )

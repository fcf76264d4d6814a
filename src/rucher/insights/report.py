"""The full insights pass: every metric of the engine over one scope (a space with its
sub-spaces, a period), as one JSON-ready dict, plus a cache invalidated by new events.

Public API:

- ``full_report(dataset, *, space_id=None, period=None, min_group_size=5) -> dict``: keys
  ``scope``, ``data``, ``sections`` (one entry per metric family, each made of
  ``Result.to_dict()``), ``errors`` (sections that failed) and ``seconds`` (time per section).
- ``cached_report(dataset_key, dataset, *, space_id=None, period=None, min_group_size=5,
  cache=None) -> dict``: the same, reused while the data's fingerprint (latest event id and
  time, row counts) and the parameters are unchanged.
- ``resolve_period(period)``: a ``Period`` from ``(start, end)``, a ``Period`` or None.

Scope (docs/insights.md):

- *Space*: the space and every space below it (``parent_id``); content written there,
  events that happened there, and the people who appear in either.
- *Period*: metrics that compare periods (engagement, inequality, cadence, NPS answers) get
  it as their period; graph metrics (influence, silos) use the events inside it; the
  "state at a moment" metrics (health, to-do, profiles) are computed as of its end, on the
  data known then. Without a period: the whole span of the data, as of its last record.

A section that fails (odd input a metric does not handle) does not stop the report: its
entry is ``{"status": "error", "error": "<type>: <message>"}`` and it is logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Any

import polars as pl

from rucher.insights.advisor import weekly_todo
from rucher.insights.cadence import cadence_vs_audience
from rucher.insights.contract import Dataset
from rucher.insights.engagement import engagement_series, engagement_summary
from rucher.insights.health import HealthReport, health_report
from rucher.insights.inequality import inequality_report
from rucher.insights.influence import contextual_influence
from rucher.insights.periods import Period, span_of
from rucher.insights.profiles import GroupBy, ProfileSizes, classified_members, profile_sizes
from rucher.insights.report_cache import DEFAULT_CACHE, ReportCache, cache_key, fingerprint
from rucher.insights.report_nps import nps_section
from rucher.insights.report_scope import before, restrict_to_spaces, space_subtree, within
from rucher.insights.results import MIN_GROUP_SIZE, Result, not_enough_data
from rucher.insights.silos import silo_report
from rucher.insights.themes import theme_overview

logger = logging.getLogger(__name__)

SECTIONS: tuple[str, ...] = (
    "engagement",
    "engagement_series",
    "inequality",
    "influence",
    "nps",
    "profiles",
    "silos",
    "health",
    "todo",
    "cadence",
)
# Each influence context is one more PageRank column: the report ranks people in the most
# populated topics and spaces (by distinct authors), where a ranking means something.
MAX_INFLUENCE_TOPICS = 50
MAX_INFLUENCE_SPACES = 20

PeriodLike = Period | tuple[datetime, datetime] | None


def resolve_period(period: PeriodLike) -> Period | None:
    if period is None or isinstance(period, Period):
        return period
    start, end = period
    return Period(start, end)


def _results(results: dict[str, Result]) -> dict[str, Any]:
    return {key: result.to_dict() for key, result in results.items()}


def _no_data(name: str) -> dict[str, Any]:
    return not_enough_data(name, "no event or content in the scope", 0, 1).to_dict()


class _Scope:
    """The views of the dataset every section needs, built once."""

    def __init__(
        self,
        dataset: Dataset,
        space_id: int | None,
        period: Period | None,
        min_group_size: int,
        polls: pl.DataFrame | None = None,
    ) -> None:
        self.space_ids = None if space_id is None else space_subtree(dataset.spaces, space_id)
        self.data = (
            dataset if self.space_ids is None else restrict_to_spaces(dataset, self.space_ids)
        )
        self.period = period or span_of(self.data)
        self.min_group_size = min_group_size
        # The moment the state-at-a-moment metrics look from: the period's end if one was
        # asked for, else the data's own last record (their default).
        self.as_of = period.end if period is not None else None
        self.known = self.data if period is None else before(self.data, period.end)
        self.window = self.data if period is None else within(self.data, period)
        self._profile_sizes: dict[GroupBy | None, ProfileSizes] = {}
        # What says which polls are NPS polls and what they ask (report_nps).
        self.polls = self.known.content if polls is None else polls

    # Health and profiles feed both their own sections and the to-do list: computed once,
    # by whichever section asks first.
    @cached_property
    def health(self) -> HealthReport:
        return health_report(self.known, self.as_of)

    @cached_property
    def classified(self) -> pl.DataFrame:
        return classified_members(self.known, self.as_of)

    def profile_sizes(self, by: GroupBy | None) -> ProfileSizes:
        if by not in self._profile_sizes:
            self._profile_sizes[by] = profile_sizes(
                self.known,
                by,
                self.as_of,
                min_group_size=self.min_group_size,
                classified=self.classified,
            )
        return self._profile_sizes[by]


def _engagement(scope: _Scope) -> dict[str, Any]:
    if scope.period is None:
        return _no_data("engagement")
    return _results(engagement_summary(scope.data, scope.period))


def _engagement_series(scope: _Scope) -> dict[str, Any]:
    if scope.period is None:
        return _no_data("engagement.series")
    return engagement_series(scope.data, scope.period, "week").to_dict()


def _inequality(scope: _Scope) -> dict[str, Any]:
    report = inequality_report(scope.data, scope.period)
    return {population: _results(results) for population, results in report.items()}


def _busiest_spaces(content: pl.DataFrame, limit: int) -> list[int]:
    return (
        content.lazy()
        .filter(pl.col("space_id").is_not_null())
        .group_by("space_id")
        .agg(pl.col("author_id").n_unique().alias("authors"))
        .sort(["authors", "space_id"], descending=[True, False])
        .head(limit)
        .collect()
        .get_column("space_id")
        .to_list()
    )


def _influence(scope: _Scope) -> dict[str, Any]:
    spaces = _busiest_spaces(scope.window.content, MAX_INFLUENCE_SPACES)
    results = contextual_influence(scope.window, spaces=spaces, max_topics=MAX_INFLUENCE_TOPICS)
    return _results(results)


def _nps(scope: _Scope) -> dict[str, Any]:
    return nps_section(scope.window, polls=scope.polls)


PROFILE_GROUPINGS: tuple[GroupBy | None, ...] = (None, "department", "space")


def _profiles(scope: _Scope) -> dict[str, Any]:
    """Aggregated counts only (groups under ``min_group_size`` are withheld by
    ``profile_sizes``): no person's profile leaves the engine through the report."""
    return {by or "community": scope.profile_sizes(by).to_dict() for by in PROFILE_GROUPINGS}


def _silos(scope: _Scope) -> dict[str, Any]:
    return silo_report(scope.window.people, scope.window.events).to_dict()


def _health(scope: _Scope) -> dict[str, Any]:
    return scope.health.to_dict()


def _todo(scope: _Scope) -> dict[str, Any]:
    return weekly_todo(
        scope.known,
        as_of=scope.as_of,
        min_group_size=scope.min_group_size,
        health=scope.health,
        space_profiles=scope.profile_sizes("space") if scope.known.spaces.height else None,
    ).to_dict()


def _cadence(scope: _Scope) -> dict[str, Any]:
    return _results(cadence_vs_audience(scope.data, scope.period))


def _themes(scope: _Scope) -> dict[str, Any]:
    """What people talk about in the period (themes.py). No excerpt: the cockpit shows
    aggregates of spaces one may analyse, which is not the same as spaces one may read."""
    return theme_overview(scope.window.content, examples=0, now=scope.as_of)


RUNNERS: dict[str, Callable[[_Scope], dict[str, Any]]] = {
    "engagement": _engagement,
    "engagement_series": _engagement_series,
    "inequality": _inequality,
    "influence": _influence,
    "nps": _nps,
    "profiles": _profiles,
    "silos": _silos,
    "health": _health,
    "todo": _todo,
    "cadence": _cadence,
    # Asked for by name only (the cockpit's opinion page): not in the default SECTIONS, so the
    # full pass and `rucher insights report` keep their cost.
    "themes": _themes,
}


def _run(name: str, runner: Callable[[_Scope], dict[str, Any]], scope: _Scope) -> dict[str, Any]:
    try:
        return runner(scope)
    except Exception as error:  # one metric's failure must not take the report down
        logger.exception("insights report: section %s failed", name)
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return {"status": "error", "error": f"{type(error).__name__}: {message}".rstrip(": ")}


def full_report(
    dataset: Dataset,
    *,
    space_id: int | None = None,
    period: PeriodLike = None,
    min_group_size: int = MIN_GROUP_SIZE,
    sections: tuple[str, ...] = SECTIONS,
    progress: Callable[[str], None] | None = None,
    polls: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Every metric of the engine over the scope; see the module's docstring.

    ``polls``: a content table describing the polls (kind, question) when ``dataset``'s own
    content was cut to some authors (see ``report_nps.nps_section``).

    Raises ``report_scope.UnknownSpace`` for a space that is not in the spaces table and
    ``ValueError`` for a ``min_group_size`` below the privacy floor or an unknown section.
    """
    if min_group_size < MIN_GROUP_SIZE:
        raise ValueError(
            f"min_group_size {min_group_size} is below the privacy floor {MIN_GROUP_SIZE}"
        )
    unknown = set(sections) - set(RUNNERS)
    if unknown:
        raise ValueError(f"unknown section(s): {sorted(unknown)}")
    chosen = resolve_period(period)
    began = time.perf_counter()
    scope = _Scope(dataset, space_id, chosen, min_group_size, polls)
    seconds: dict[str, float] = {"scope": round(time.perf_counter() - began, 3)}
    # Process CPU time beside the wall time: on a shared machine the wall time says more
    # about the neighbours than about the work.
    cpu_seconds: dict[str, float] = {}
    results: dict[str, Any] = {}
    for name in sections:
        if progress is not None:
            progress(name)
        started, cpu_started = time.perf_counter(), time.process_time()
        results[name] = _run(name, RUNNERS[name], scope)
        seconds[name] = round(time.perf_counter() - started, 3)
        cpu_seconds[name] = round(time.process_time() - cpu_started, 3)
    return {
        "scope": {
            "space_id": space_id,
            "space_ids": scope.space_ids,
            "period": scope.period.to_dict() if scope.period else None,
            "period_requested": chosen is not None,
            "as_of": scope.as_of.isoformat() if scope.as_of else None,
            "min_group_size": min_group_size,
        },
        "data": {
            **fingerprint(scope.data),
            "events_in_period": scope.window.events.height,
            "content_in_period": scope.window.content.height,
        },
        "sections": results,
        "errors": [
            name
            for name, value in results.items()
            if isinstance(value, dict) and value.get("status") == "error"
        ],
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
    }


def cached_report(
    dataset_key: str,
    dataset: Dataset,
    *,
    space_id: int | None = None,
    period: PeriodLike = None,
    min_group_size: int = MIN_GROUP_SIZE,
    sections: tuple[str, ...] = SECTIONS,
    cache: ReportCache | None = None,
) -> dict[str, Any]:
    """``full_report``, reused from ``cache`` (default: a small in-process LRU) while the
    data's fingerprint and the parameters are unchanged. A new event changes the latest
    event id, time or count, hence the key: the stale report is never served."""
    store = DEFAULT_CACHE if cache is None else cache
    chosen = resolve_period(period)
    key = cache_key(
        dataset_key,
        dataset,
        {
            "space_id": space_id,
            "period": chosen.to_dict() if chosen else None,
            "min_group_size": min_group_size,
            "sections": list(sections),
        },
    )
    found = store.get(key)
    if found is not None:
        return found
    report = full_report(
        dataset,
        space_id=space_id,
        period=chosen,
        min_group_size=min_group_size,
        sections=sections,
    )
    report["cache_key"] = key
    store.put(key, report)
    return report


def summary_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """A few headline figures (label, value) for a terminal table."""
    sections = report["sections"]

    def pick(*path: str) -> Any:
        value: Any = sections
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    def shown(value: Any, digits: int = 3) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:.{digits}f}"
        return str(value)

    data = report["data"]
    rows = [
        ("events in scope", shown(data.get("events"))),
        ("events in period", shown(data.get("events_in_period"))),
        ("active members", shown(pick("engagement", "active_members", "value", "current"))),
        (
            "DAU / WAU / MAU",
            " / ".join(
                shown(pick("engagement", m, "value", "current"), 1) for m in ("dau", "wau", "mau")
            ),
        ),
        ("reply rate", shown(pick("engagement", "reply_rate", "value", "current"))),
        ("Gini (registered)", shown(pick("inequality", "registered", "gini", "value"))),
        ("E-I index", shown(pick("silos", "ei_observed"))),
        ("NPS (polls)", shown(pick("nps", "overall", "value"), 1)),
        ("NPS (estimated)", shown(pick("nps", "estimated", "value"), 1)),
        ("health alerts", shown(len(pick("health", "alerts") or []))),
        ("sections failed", ", ".join(report["errors"]) or "none"),
    ]
    return rows


__all__ = [
    "SECTIONS",
    "cached_report",
    "full_report",
    "resolve_period",
    "summary_rows",
]

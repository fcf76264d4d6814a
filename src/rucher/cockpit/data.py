"""The cockpit's data: the four contract frames from the database, cut to what the viewer may
read and to the page's scope, then the engine's full report, cached.

Privacy: the frames are read from the database already cut to the spaces the read policy lets
this viewer analyse (``permissions.analysable_spaces``) BEFORE anything is computed, so a
secret or confidential space the viewer is not in never contributes to a figure, not even to
a total.

Cache: Django's "cockpit" cache (files under the data directory, or Redis: shared by the web
process and the worker, which computes the overview pages again after new events), keyed by
the viewer's readable spaces, the scope, the period, the sections and the latest event id
(plus the latest content id and the row counts, which an import without events could
change). Every action appends an event, so a new event is a new key and a
stale report is never served; old keys simply expire.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import polars as pl
from django.core.cache import caches
from django.db.models import Max, QuerySet

from rucher.activity.models import Event
from rucher.bulk.export import build_export
from rucher.conversations.models import Content
from rucher.insights.contract import Dataset
from rucher.insights.periods import Period
from rucher.insights.report import RUNNERS, full_report
from rucher.insights.report import SECTIONS as ENGINE_SECTIONS
from rucher.insights.report_scope import with_frames
from rucher.people.models import Person
from rucher.sentiment.models import ContentSentiment
from rucher.spaces import permissions
from rucher.spaces.models import Space

ScopeKind = Literal["organisation", "space", "department", "partner"]
DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366
CACHE_SECONDS = 6 * 3600
CACHE_VERSION = 3  # 3: one report per page (its sections), in the shared "cockpit" cache
# The engine's sections (insights.report.SECTIONS, the one list). A page computes only the
# sections it shows (cockpit/pages.py), so a cold page costs its own sections only.
SECTIONS: tuple[str, ...] = ENGINE_SECTIONS


def report_cache() -> Any:
    """The cache the cockpit's reports live in (shared by the web process and the worker)."""
    return caches["cockpit"]


@dataclass(frozen=True)
class Scope:
    """What a page is about: the whole organisation, a space (with its sub-spaces), the
    people of a department, or the people of a partner organisation."""

    kind: ScopeKind
    key: int | str | None = None

    def cache_part(self) -> list[Any]:
        return [self.kind, self.key]


def default_period(today: datetime | None = None) -> Period:
    """The last ``DEFAULT_DAYS`` whole days up to and including today (UTC)."""
    now = today or datetime.now(UTC)
    end = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return Period(end - timedelta(days=DEFAULT_DAYS), end)


def readable_space_ids(viewer: Person) -> list[int]:
    return sorted(permissions.readable_spaces(viewer).values_list("id", flat=True))


def viewer_dataset(spaces: QuerySet[Space]) -> Dataset:
    """The live database as the four contract frames, cut by the read policy to ``spaces``
    (what this viewer may analyse) before anything is computed."""
    dataset, _left_out = build_export(spaces=spaces)
    return dataset


# The frames read last, per (analysable spaces, data fingerprint): reading them is most of a
# cold page's cost, and a community manager going from one page to the next asks for the
# same frames. Kept in this process only (a few MB each), the most recent few.
DATASETS_KEPT = 2
_datasets: OrderedDict[str, Dataset] = OrderedDict()
_datasets_lock = threading.Lock()


def forget_datasets() -> None:
    """Drop the frames kept in this process (tests: a rolled-back database may reuse ids)."""
    with _datasets_lock:
        _datasets.clear()


def shared_dataset(spaces: QuerySet[Space], key: str) -> Dataset:
    """``viewer_dataset(spaces)``, reused while ``key`` (spaces and fingerprint) is unchanged."""
    with _datasets_lock:
        found = _datasets.get(key)
        if found is not None:
            _datasets.move_to_end(key)
            return found
    dataset = viewer_dataset(spaces)
    with _datasets_lock:
        _datasets[key] = dataset
        while len(_datasets) > DATASETS_KEPT:
            _datasets.popitem(last=False)
    return dataset


# Events no cockpit figure reads (passive in insights.engagement, and not reads, which the
# health alerts and the cadence's audience count): a community manager signing in to open
# the cockpit must not make the report the worker just computed stale.
NOT_IN_FIGURES: tuple[str, ...] = ("logged_in", "searched", "created_token", "revoked_token")


def _fingerprint() -> dict[str, Any]:
    """Cheap database facts that change whenever the data does (one aggregate query each)."""
    events = Event.objects.exclude(verb__in=NOT_IN_FIGURES).aggregate(latest=Max("id"))
    content = Content.objects.aggregate(latest=Max("id"))
    # Sentiment is stored after the fact (the worker, `rucher sentiment backfill`, the demo's
    # background pass) without an event: its latest score renews the opinion figures.
    sentiment = ContentSentiment.objects.aggregate(latest=Max("scored_at"))
    return {
        "latest_event_id": events["latest"],
        "latest_content_id": content["latest"],
        "latest_sentiment_at": sentiment["latest"],
        "people": Person.objects.count(),
    }


def cache_key(
    viewer_spaces: list[int],
    scope: Scope,
    period: Period,
    sections: tuple[str, ...] = SECTIONS,
    fingerprint: dict[str, Any] | None = None,
) -> str:
    payload = {
        "v": CACHE_VERSION,
        "sections": sorted(sections),
        "spaces": viewer_spaces,
        "scope": scope.cache_part(),
        "period": period.to_dict(),
        "data": fingerprint if fingerprint is not None else _fingerprint(),
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    return f"rucher:cockpit:{digest}"


def people_only(dataset: Dataset, person_ids: list[int]) -> Dataset:
    """What a group of people did: their content and the events they performed."""
    chosen = pl.Series("person_id", person_ids, dtype=pl.Int64).implode()
    return with_frames(
        dataset,
        people=dataset.people.filter(pl.col("person_id").is_in(chosen)),
        content=dataset.content.filter(pl.col("author_id").is_in(chosen)),
        events=dataset.events.filter(pl.col("actor_id").is_in(chosen)),
    )


def scope_people(scope: Scope) -> list[int]:
    if scope.key is None:
        return []
    if scope.kind == "department":
        people = Person.objects.filter(department_id=scope.key)
    elif scope.kind == "partner":
        people = Person.objects.filter(organisation_id=scope.key)
    else:
        return []
    return list(people.values_list("id", flat=True))


def compute_report(
    viewer: Person,
    scope: Scope,
    period: Period,
    *,
    for_export: bool = False,
    sections: tuple[str, ...] = SECTIONS,
) -> dict[str, Any]:
    """The engine's report for this viewer, scope and period (from the cache when fresh).
    For an export, confidential spaces are left out entirely: nothing from them leaves."""
    analysable = permissions.analysable_spaces(viewer, leaving_rucher=for_export)
    spaces = sorted(analysable.values_list("id", flat=True))
    sections = tuple(s for s in sections if s in RUNNERS)  # themes: asked for by name
    data = _fingerprint()
    key = cache_key(spaces, scope, period, sections, data)
    cache = report_cache()
    found = cache.get(key)
    if found is not None:
        found["from_cache"] = True
        return dict(found)
    frames_key = json.dumps([spaces, for_export, data], sort_keys=True, default=str)
    dataset = shared_dataset(analysable, frames_key)
    space_id: int | None = None
    # Which polls are NPS polls, and their questions, from the uncut content table: a
    # department's people answer polls they did not write.
    polls = dataset.content.filter(pl.col("kind") == "poll")
    if scope.kind == "space":
        space_id = int(scope.key)  # type: ignore[arg-type]
    elif scope.kind in ("department", "partner"):
        dataset = people_only(dataset, scope_people(scope))
    report = full_report(dataset, space_id=space_id, period=period, sections=sections, polls=polls)
    report["computed_at"] = datetime.now(UTC).isoformat()
    cache.set(key, report, CACHE_SECONDS)
    report["from_cache"] = False
    return report

"""Appending to the event log. Every action calls ``record`` inside its own transaction.

``record`` also hands the event, once that transaction commits, to the subscribers of its verb
(``activity/subscribers.py``; run by ``rucher worker``, ``activity/tasks.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from rucher.activity.models import Event
from rucher.activity.subscribers import subscribers_for
from rucher.activity.tasks import hand_on
from rucher.insights.verbs import VERBS


def record(
    actor: Any,
    verb: str,
    object_type: str = "",
    object_id: int | None = None,
    *,
    space_id: int | None = None,
    target_id: int | None = None,
    value: float | None = None,
    at: datetime | None = None,
) -> Event:
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}: add it to rucher/insights/verbs.py and the docs")
    event = Event.objects.create(
        actor_id=actor.pk,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        space_id=space_id,
        target_id=target_id,
        value=value,
        at=at or timezone.now(),
    )
    if subscribers := subscribers_for(verb):  # nobody listening: no task, no SQL
        hand_on(event, subscribers)
    return event


def record_view(actor: Any, object_type: str, object_id: int | None, space_id: int | None) -> None:
    """Record a read. Views are aggregated to one event per person, object and day (the first
    read of the day carries the time), so reading a page twice does not inflate the log.
    Reads are not handed to subscribers."""
    now = timezone.now()
    key = f"v:{actor.pk}:{object_type}:{object_id or 0}:{now:%Y%m%d}"
    if Event.objects.filter(dedupe_key=key).exists():
        return  # already counted today: reading again stays a read, not a write
    Event.objects.bulk_create(
        [
            Event(
                actor_id=actor.pk,
                verb="viewed",
                object_type=object_type,
                object_id=object_id,
                space_id=space_id,
                at=now,
                dedupe_key=key,
            )
        ],
        ignore_conflicts=True,
    )


def record_many(events: Iterable[Event], batch_size: int = 5000) -> int:
    """Bulk append for the demo generator and importers (which call it inside their
    all-or-nothing transaction). Not handed to subscribers: a bulk load is not news."""
    rows = list(events)
    for event in rows:
        if event.verb not in VERBS:
            raise ValueError(f"unknown verb {event.verb!r}")
    Event.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


_ENTRY_KEYS = {"verb", "object_type", "object_id", "space_id", "target_id", "value", "at"}


def record_together(actor: Any, entries: Iterable[dict[str, Any]]) -> list[Event]:
    """The events of ONE action appended in one INSERT (publishing: ``posted`` and one
    ``mentioned`` per person). Each entry holds ``record``'s arguments (``verb``,
    ``object_type``, ``object_id``, ``space_id``, ``target_id``, ``value``, ``at``) and is
    checked as ``record`` checks it; an action appending a single event calls ``record``."""
    now = timezone.now()
    rows = []
    for entry in entries:
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            raise TypeError(f"unexpected event fields {sorted(unknown)}")
        verb = entry["verb"]
        if verb not in VERBS:
            raise ValueError(f"unknown verb {verb!r}: add it to rucher/insights/verbs.py")
        rows.append(
            Event(
                actor_id=actor.pk,
                verb=verb,
                object_type=entry.get("object_type", ""),
                object_id=entry.get("object_id"),
                space_id=entry.get("space_id"),
                target_id=entry.get("target_id"),
                value=entry.get("value"),
                at=entry.get("at") or now,
            )
        )
    events = Event.objects.bulk_create(rows) if rows else []
    for event in events:  # the same hand-off as ``record``, event by event
        if subscribers := subscribers_for(event.verb):
            hand_on(event, subscribers)
    return events

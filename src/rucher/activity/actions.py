"""Appending to the event log. Every action calls ``record`` inside its own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from rucher.activity.models import Event
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
    return Event.objects.create(
        actor_id=actor.pk,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        space_id=space_id,
        target_id=target_id,
        value=value,
        at=at or timezone.now(),
    )


def record_view(actor: Any, object_type: str, object_id: int | None, space_id: int | None) -> None:
    """Record a read. Views are aggregated to one event per person, object and day (the first
    read of the day carries the time), so reading a page twice does not inflate the log."""
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
    all-or-nothing transaction)."""
    rows = list(events)
    for event in rows:
        if event.verb not in VERBS:
            raise ValueError(f"unknown verb {event.verb!r}")
    Event.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)

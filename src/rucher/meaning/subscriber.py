"""After commit: each write to a content item recomputes (or drops) its vector."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rucher.activity.subscribers import subscribe

if TYPE_CHECKING:
    from rucher.activity.models import Event

SUBSCRIBER = "rucher.meaning.embed"
# Verbs that create, change, remove or bring back an item's text or its visibility.
VERBS = (
    "posted",
    "asked",
    "commented",
    "answered",
    "shared",
    "edited",
    "deleted",
    "restored",
    "moderated",
)
CONTENT_TYPES = frozenset({"post", "comment", "question", "answer", "poll"})


def on_event(event: Event) -> None:
    """Recompute the item's vector from its current state (idempotent, order-free)."""
    if event.object_type not in CONTENT_TYPES or event.object_id is None:
        return
    from rucher.meaning.vectors import refresh_vectors

    refresh_vectors([event.object_id])


def connect() -> None:
    subscribe(*VERBS, handler=on_event, name=SUBSCRIBER)

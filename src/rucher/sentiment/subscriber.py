"""After commit: each write to a content item scores (or drops) its stored sentiment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rucher.activity.subscribers import subscribe

if TYPE_CHECKING:
    from rucher.activity.models import Event

SUBSCRIBER = "rucher.sentiment.score"
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
    """Score the item from its current state (idempotent, order-free)."""
    if event.object_type not in CONTENT_TYPES or event.object_id is None:
        return
    from rucher.sentiment.scoring import refresh_sentiment

    refresh_sentiment([event.object_id])


def connect() -> None:
    subscribe(*VERBS, handler=on_event, name=SUBSCRIBER)

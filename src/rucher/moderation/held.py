"""Held content enters the review queue (after commit).

Publishing (``conversations``, a layer below moderation) saves a text with sensitive data as
``held``; this subscriber opens its review item once the write has committed, so the
moderators find it in the queue (no flag: ``flag_count`` 0, the content's own record of what
was found says why). Idempotent: one open item per content (a partial unique constraint).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from rucher.activity.models import Event
from rucher.activity.subscribers import subscribe
from rucher.conversations.models import Content
from rucher.moderation.models import FlaggedItem, WatchedWord, WatchedWordHit

SUBSCRIBER = "rucher.moderation.held"
WATCHED_SUBSCRIBER = "rucher.moderation.watched"
VERBS = ("posted", "asked", "commented", "answered", "edited")


def queue_held(event: Event) -> bool:
    """Open the review item of the event's content if it is held; True when opened."""
    if event.object_id is None:
        return False
    content = Content.objects.filter(pk=event.object_id, status=Content.Status.HELD).first()
    if content is None:
        return False
    return _open_review(content)


def _open_review(content: Content) -> bool:
    if FlaggedItem.objects.filter(content=content, status=FlaggedItem.Status.OPEN).exists():
        return False
    now = timezone.now()
    try:
        with transaction.atomic():
            FlaggedItem.objects.create(
                content=content,
                space_id=content.space_id,
                author_id=content.author_id,
                flag_count=0,
                first_flagged_at=now,
                last_flagged_at=now,
            )
    except IntegrityError:  # opened by a flag or another delivery meanwhile
        return False
    return True


def count_watched(event: Event) -> int:
    """The watched words found in the event's text (``Content.sensitive["watched"]``, written
    by publishing) become ``WatchedWordHit`` rows, one per word and event (a retried task
    adds none); a word whose action is "flag after publishing" opens the content's review
    item (no flag, like a held text) so it reaches the queue. Returns the hits counted."""
    if event.object_id is None:
        return 0
    content = Content.objects.filter(pk=event.object_id).first()
    found = (content.sensitive or {}).get("watched") if content is not None else None
    if content is None or not found:
        return 0
    hits: dict[str, WatchedWordHit] = {}
    for entry in found:
        hits.setdefault(
            entry["pattern"],
            WatchedWordHit(
                event_id=event.pk,
                word_id=entry.get("word_id"),
                pattern=entry["pattern"],
                action=entry["action"],
                timed_out=bool(entry.get("timed_out")),
                content=content,
                space_id=content.space_id,
                at=event.at,
            ),
        )
    WatchedWordHit.objects.bulk_create(list(hits.values()), ignore_conflicts=True)
    flagged = any(entry["action"] == WatchedWord.Action.FLAG for entry in found)
    if flagged and content.status == Content.Status.PUBLISHED:
        _open_review(content)
    return len(hits)


def register() -> None:
    subscribe(*VERBS, handler=queue_held, name=SUBSCRIBER)
    subscribe(*VERBS, handler=count_watched, name=WATCHED_SUBSCRIBER)

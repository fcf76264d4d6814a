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
from rucher.moderation.models import FlaggedItem

SUBSCRIBER = "rucher.moderation.held"
VERBS = ("posted", "asked", "commented", "answered", "edited")


def queue_held(event: Event) -> bool:
    """Open the review item of the event's content if it is held; True when opened."""
    if event.object_id is None:
        return False
    content = Content.objects.filter(pk=event.object_id, status=Content.Status.HELD).first()
    if content is None:
        return False
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


def register() -> None:
    subscribe(*VERBS, handler=queue_held, name=SUBSCRIBER)

"""Expert requests: tell a few people that a question they may know about still waits.

The hook ``rucher.expertise.requests`` calls once a question has stayed unanswered for
``RUCHER_EXPERTS_UNANSWERED_HOURS`` (expertise sits above notifications in the layers: it
chooses the people, this module writes their notifications). Each person is asked at most
``RUCHER_EXPERTS_REQUESTS_PER_WEEK`` times in seven days, only about a question they may read,
never twice about the same question, and on the channel they chose for ``expert_request``
(``off``: nothing). Idempotent: a second call for the same question writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from rucher.activity.models import Event
from rucher.conversations.models import Content
from rucher.spaces import permissions

from . import hooks
from .models import Channel, Kind, Notification, NotificationActor
from .preferences import channel_for


def content_subject(content_id: int) -> str:
    return f"content:{content_id}"


def ask_experts(question: Content, expert_ids: Sequence[int]) -> list[int]:
    """``expert_request`` notifications about ``question`` for those of ``expert_ids`` who may
    read it and may still be asked this week; the ids of the rows written."""
    per_week = int(getattr(settings, "RUCHER_EXPERTS_REQUESTS_PER_WEEK", 3))
    wanted = [pk for pk in dict.fromkeys(expert_ids) if pk != question.author_id]
    if not wanted or per_week <= 0:
        return []
    readers = set(
        permissions.space_readers(question.space).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    subject = content_subject(question.pk)
    now = timezone.now()
    with transaction.atomic():
        asked = set(
            Notification.objects.filter(
                kind=Kind.EXPERT_REQUEST, subject=subject, recipient_id__in=wanted
            ).values_list("recipient_id", flat=True)
        )
        busy = {
            row["recipient_id"]
            for row in Notification.objects.filter(
                kind=Kind.EXPERT_REQUEST,
                recipient_id__in=wanted,
                created_at__gte=now - timedelta(days=7),
            )
            .values("recipient_id")
            .annotate(n=Count("pk"))
            if row["n"] >= per_week
        }
        people = [pk for pk in wanted if pk in readers and pk not in asked and pk not in busy]
        channels = {pk: channel_for(pk, Kind.EXPERT_REQUEST, question.space_id) for pk in people}
        people = [pk for pk in people if channels[pk] != Channel.OFF]
        if not people:
            return []
        event_id = (
            Event.objects.filter(verb="asked", object_id=question.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        ) or 0
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=pk,
                    kind=Kind.EXPERT_REQUEST,
                    content_id=question.pk,
                    space_id=question.space_id,
                    subject=subject,
                    channel=channels[pk],
                    actor_count=1,
                    last_actor_id=question.author_id,
                    first_event_id=event_id,
                    last_event_id=event_id,
                    created_at=now,
                    updated_at=now,
                )
                for pk in people
            ]
        )
        ids = [row.pk for row in rows]
        if None in ids:
            ids = list(
                Notification.objects.filter(
                    kind=Kind.EXPERT_REQUEST, subject=subject, recipient_id__in=people
                ).values_list("pk", flat=True)
            )
        NotificationActor.objects.bulk_create(
            [NotificationActor(notification_id=pk, actor_id=question.author_id) for pk in ids],
            ignore_conflicts=True,
        )
        hooks.notified(ids)
    return ids

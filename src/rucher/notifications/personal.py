"""Notices about a person's own things, with no one else behind them: "your data download is
ready" (``Kind.EXPORT_READY``). The layers above (privacy) call ``tell_owner`` from their
worker tasks; the fan-out (``fanout.py``) is for what others do.

Keyed like the fan-out's rows on (event, recipient): a retried task tells nobody twice. The
subject is ``"<what>:<id>"`` (``export:12``); ``queries.shown_to`` shows such rows to their
recipient only, and ``queries.describe`` says them in words.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import hooks
from .models import Kind, Notification, NotificationEvent, Preference
from .preferences import resolve_channel

OWN_KINDS = frozenset({Kind.EXPORT_READY})


def tell_owner(person_id: int, kind: str, subject: str, event_id: int) -> int | None:
    """One notification for ``person_id`` about their own ``subject``; the new row's id, or
    ``None`` when this event already told them or their preference for ``kind`` is off."""
    if kind not in OWN_KINDS:
        raise ValueError(f"{kind!r} is not a notice about one's own things")
    pref = (
        Preference.objects.filter(person_id=person_id, kind=kind)
        .values_list("channel", flat=True)
        .first()
    )
    channel = resolve_channel(kind, pref)
    if channel == "off":
        return None
    with transaction.atomic():
        _row, created = NotificationEvent.objects.get_or_create(
            event_id=event_id, recipient_id=person_id
        )
        if not created:
            return None
        now = timezone.now()
        row = Notification.objects.create(
            recipient_id=person_id,
            kind=kind,
            subject=subject,
            channel=channel,
            actor_count=0,
            first_event_id=event_id,
            last_event_id=event_id,
            created_at=now,
            updated_at=now,
        )
        hooks.notified([row.pk])
    return row.pk

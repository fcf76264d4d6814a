"""Direct messages in the notification centre: the subscriber of ``sent_message``.

The fan-out of content (``fanout.py``) plans from a content item or a space; a message has
neither, so its plan is made here and written by the same ``fanout.write`` (grouped: "Claire
wrote to you" becomes "Claire and Bob wrote in …" while unread; keyed on the event id, so a
retried task tells nobody twice; ``hooks.notified`` after the commit: e-mail at once, the
live bell). Who is told: the conversation's other active participants, not those who muted
the author, with their channel for ``direct_message`` (in the app at once by default).

A notification never quotes a message: it says who wrote, and where (docs/messaging.md).
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from rucher.activity.models import Event
from rucher.activity.subscribers import subscribe
from rucher.messaging.models import Participant
from rucher.streams.models import Mute, TargetType

from .fanout import Plan, write
from .models import Channel, Kind, Preference
from .preferences import resolve_channel

SUBSCRIBER = "rucher.notifications.messages"


def conversation_subject(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def recipients(event: Event) -> dict[int, str]:
    """The other active participants who did not mute the author, with their channel: one
    query whatever their number (twenty at most)."""
    if event.object_id is None:
        return {}
    muted = Mute.objects.filter(target_type=TargetType.PERSON, target_id=event.actor_id).values(
        "person_id"
    )
    kind_pref = Preference.objects.filter(
        person_id=OuterRef("person_id"),
        kind=Kind.DIRECT_MESSAGE,
        space__isnull=True,
        topic__isnull=True,
    ).values("channel")[:1]
    rows = (
        Participant.objects.filter(conversation_id=event.object_id, person__is_active=True)
        .exclude(person_id=event.actor_id)
        .exclude(person_id__in=muted)
        .annotate(kind_channel=Subquery(kind_pref))
        .values_list("person_id", "kind_channel")
    )
    found: dict[int, str] = {}
    for person_id, chosen in rows:
        channel = resolve_channel(Kind.DIRECT_MESSAGE, chosen)
        if channel != Channel.OFF:
            found[person_id] = channel
    return found


def notify(event: Event) -> list[int]:
    """The subscriber: tell the other participants of a new message (idempotent)."""
    if event.verb != "sent_message" or event.object_id is None:
        return []
    channels = recipients(event)
    if not channels:
        return []
    the_plan = Plan(Kind.DIRECT_MESSAGE, conversation_subject(event.object_id))
    return write(event, the_plan, channels)


def register() -> None:
    """Called from ``NotificationsConfig.ready()``."""
    subscribe("sent_message", handler=notify, name=SUBSCRIBER)

"""Kudos and badges in the notification centre (rucher.recognition sits below: this module
reads its rows, it never calls notifications).

- ``gave_kudos``: the recipient (``target_id``) is told, unless they muted the giver; their
  unread kudos notification gathers the givers ("Claire and 2 others gave you kudos"),
  subject ``kudos:<recipient>``, linking to their profile's kudos.
- ``earned_badge``: the person who earned it (the event's actor: a badge is theirs) is told,
  one notification per badge (subject ``badge:<award>``).

Shown while the kudos or the award still exists (``queries.shown_to``); texts are built at
show time in the reader's language, with the badge's name in it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery

from rucher.activity.models import Event
from rucher.people.models import Person
from rucher.recognition.models import BadgeAward, Kudos
from rucher.streams.models import Mute, TargetType

from .models import Channel, Kind, Preference
from .preferences import resolve_channel

VERBS = {"gave_kudos": Kind.KUDOS, "earned_badge": Kind.BADGE}


def kudos_subject(person_id: int) -> str:
    return f"kudos:{person_id}"


def badge_subject(award_id: int) -> str:
    return f"badge:{award_id}"


def subject_and_recipient(event: Event) -> tuple[str, int] | None:
    """The grouping subject and the one person told, or None when the row is gone."""
    if event.object_id is None:
        return None
    if event.verb == "gave_kudos":
        kudos = Kudos.objects.filter(pk=event.object_id).values_list("recipient_id").first()
        return (kudos_subject(kudos[0]), kudos[0]) if kudos else None
    if event.verb == "earned_badge":
        award = BadgeAward.objects.filter(pk=event.object_id).values_list("person_id").first()
        return (badge_subject(event.object_id), award[0]) if award else None
    return None


def channel_for(event: Event, kind: str, recipient_id: int) -> str:
    """The recipient's channel for ``kind`` (``off`` when inactive or muting the giver): one
    query."""
    people = Person.objects.filter(pk=recipient_id, is_active=True)
    if kind == Kind.KUDOS:
        people = people.exclude(
            pk__in=Mute.objects.filter(
                target_type=TargetType.PERSON, target_id=event.actor_id
            ).values("person_id")
        )
    preference = Preference.objects.filter(
        person_id=OuterRef("pk"), kind=kind, space__isnull=True, topic__isnull=True
    ).values("channel")[:1]
    found: Any = people.annotate(kind_channel=Subquery(preference)).first()
    if found is None:
        return str(Channel.OFF)
    return str(resolve_channel(kind, found.kind_channel))

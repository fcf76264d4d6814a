"""From events to notifications: the subscriber the worker runs after each write commits.

For each event of a verb below (docs/architecture.md, "Notifications"):

1. **plan**: the kind, the subject (a content item or a space) and who may hear of it: the
   person the event names (``target_id``: mentioned, replied to, reacted to, invited…), the
   managers of a space (join requests), or the watchers of the space and topics of a new post
   (their ``Preference`` for that space or topic);
2. **filter**, in one query: never the actor; only people who may read the subject *now*
   (``permissions.space_readers``, the converse of the read policy, for content; the policy's
   ``visible_spaces`` for space subjects); not those who muted the actor, the space or one of
   the content's topics (stream controls); the channel from their preferences
   (``preferences.resolve_channel``), ``off`` meaning no row;
3. **write**, in one transaction: a ``NotificationEvent`` per (event, recipient) first, so a
   second delivery of the same event skips the recipients already done; then each recipient's
   unread row for the subject gains an actor (``NotificationActor``, distinct people) and is
   bumped, or a new row is created;
4. **tell** ``hooks.notified(ids)`` (e-mail at once, the live bell), after the commit.

The number of queries does not grow with the number of recipients (bulk reads and writes):
a post into a space of thousands of watchers costs the same statements as one of three,
except the batches SQLite needs for very large inserts (``tests/notifications``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest

from rucher.activity.models import Event
from rucher.activity.subscribers import subscribe
from rucher.conversations.models import Content
from rucher.moderation.models import Decision, Flag, ModerationDecision
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Membership, Space
from rucher.streams.models import Mute, TargetType

from . import hooks
from . import recognition as recognition_kinds
from .models import Channel, Kind, Notification, NotificationActor, NotificationEvent, Preference
from .preferences import resolve_channel

logger = logging.getLogger("rucher.notifications")

SUBSCRIBER = "rucher.notifications.fanout"

# verb -> kind (``posted`` and ``asked``: new posts for the watchers).
KIND_OF_VERB: dict[str, str] = {
    "mentioned": Kind.MENTION,
    "commented": Kind.REPLY,
    "answered": Kind.ANSWER,
    "accepted_answer": Kind.ACCEPTED_ANSWER,
    "reacted": Kind.REACTION,
    "invited": Kind.INVITATION,
    "requested_to_join": Kind.JOIN_REQUEST,
    "changed_role": Kind.ROLE_CHANGE,
    "posted": Kind.NEW_POST,
    "asked": Kind.NEW_POST,
    "moderated": Kind.MODERATION,  # its plans are moderation_plans (two audiences)
}
SPACE_KINDS = frozenset({Kind.INVITATION, Kind.JOIN_REQUEST, Kind.ROLE_CHANGE})


def content_subject(content_id: int) -> str:
    return f"content:{content_id}"


def profile_subject(person_id: int) -> str:
    """A decision on a profile (moderation): the profile's owner and its flaggers."""
    return f"profile:{person_id}"


def space_subject(space_id: int) -> str:
    return f"space:{space_id}"


@dataclass
class Plan:
    """Who may hear of an event, before the filters."""

    kind: str
    subject: str
    content: Content | None = None  # the subject, for content kinds
    space: Space | None = None  # the subject's space (None: a profile post)
    candidates: list[int] = field(default_factory=list)  # ignored for new posts (watchers)
    object_id: int | None = None  # the content the event is about (its topics: mutes)


def _published(content: Content | None) -> bool:
    if content is None or content.status != Content.Status.PUBLISHED:
        return False
    return content.root is None or content.root.status == Content.Status.PUBLISHED


def plan(event: Event) -> Plan | None:
    """What ``event`` is about, or None when it concerns nobody (its subject is gone)."""
    kind = KIND_OF_VERB.get(event.verb)
    if kind is None or kind == Kind.MODERATION or event.object_id is None:
        return None
    if kind in SPACE_KINDS:
        space = Space.objects.filter(pk=event.space_id or event.object_id).first()
        if space is None:
            return None
        if kind == Kind.JOIN_REQUEST:
            told = list(
                Membership.objects.filter(
                    space=space, status=permissions.ACTIVE, role__in=permissions.MANAGING_ROLES
                ).values_list("person_id", flat=True)
            )
        else:
            told = [event.target_id] if event.target_id else []
        return Plan(kind, space_subject(space.pk), space=space, candidates=told)
    found = (
        Content.objects.select_related("space", "root", "parent__root")
        .filter(pk=event.object_id)
        .first()
    )
    if not _published(found):
        return None
    assert found is not None
    subject = found
    if kind in (Kind.REPLY, Kind.ANSWER):
        # Grouped under what was replied to: "Bob and 3 others replied to your post".
        if found.parent is None or not _published(found.parent):
            return None
        subject = found.parent
    # Who is told: the person mentioned; otherwise the author of what was replied to, reacted
    # to or accepted, read from the row now (the event's target_id says the same for actions,
    # but imported or bulk-loaded events may not carry it); new posts: the watchers.
    candidates: list[int] = []
    if kind == Kind.MENTION:
        candidates = [event.target_id] if event.target_id else []
    elif kind != Kind.NEW_POST:
        candidates = [subject.author_id]
    return Plan(
        kind,
        content_subject(subject.pk),
        content=subject,
        space=found.space,
        candidates=candidates,
        object_id=found.pk,
    )


def _topics_of(content_id: int) -> QuerySet[Any, Any]:
    return Content.topics.through.objects.filter(content_id=content_id).values("topic_id")


def _muting(event: Event, the_plan: Plan) -> QuerySet[Mute, Any]:
    """People who muted the actor, the space or one of the content's topics (a subquery)."""
    silenced = Q(target_type=TargetType.PERSON, target_id=event.actor_id)
    if the_plan.space is not None:
        silenced |= Q(target_type=TargetType.SPACE, target_id=the_plan.space.pk)
    if the_plan.object_id is not None:
        silenced |= Q(target_type=TargetType.TOPIC, target_id__in=_topics_of(the_plan.object_id))
    return Mute.objects.filter(silenced).values("person_id")


def recipients(event: Event, the_plan: Plan) -> dict[int, str]:
    """Recipient id -> channel (``off`` left out), read in one query (plus, for a space
    subject, one policy check per candidate: one to a few people)."""
    kind = the_plan.kind
    muted = _muting(event, the_plan)
    if kind == Kind.NEW_POST:
        return _watchers(event, the_plan, muted)
    candidates = [pk for pk in the_plan.candidates if pk and pk != event.actor_id]
    if not candidates:
        return {}
    if kind in SPACE_KINDS:
        people: QuerySet[Person] = Person.objects.filter(is_active=True)
    else:
        people = permissions.space_readers(the_plan.space)
    kind_pref = Preference.objects.filter(
        person_id=OuterRef("pk"), kind=kind, space__isnull=True, topic__isnull=True
    ).values("channel")[:1]
    rows = list(
        people.filter(pk__in=candidates)
        .exclude(pk__in=muted)
        .annotate(kind_channel=Subquery(kind_pref))
        .order_by("pk")
    )
    found: dict[int, str] = {}
    for person in rows:
        if kind in SPACE_KINDS and not _knows_space(person, the_plan.space):
            continue
        channel = resolve_channel(kind, getattr(person, "kind_channel", None))
        if channel != Channel.OFF:
            found[person.pk] = channel
    return found


def _knows_space(person: Person, space: Space | None) -> bool:
    """The read policy for a space subject: the person may know the space exists (an invited
    guest sees their partner space; nobody hears of a secret space they are not in)."""
    if space is None:
        return False
    return permissions.visible_spaces(person).filter(pk=space.pk).exists()


def _watchers(event: Event, the_plan: Plan, muted: QuerySet[Mute, Any]) -> dict[int, str]:
    """The watchers of a new post's space and topics who may read it, with their channel:
    one query whatever their number."""
    assert the_plan.object_id is not None  # a new post's plan names it
    watched = Q(topic_id__in=_topics_of(the_plan.object_id))
    if the_plan.space is not None:
        watched |= Q(space_id=the_plan.space.pk)
    mentioned = Content.mentions.through.objects.filter(content_id=the_plan.object_id)
    rows = (
        Preference.objects.filter(watched)
        .filter(person_id__in=permissions.space_readers(the_plan.space).values("pk"))
        .exclude(person_id=event.actor_id)
        .exclude(person_id__in=muted)
        # Mentioned people hear of the post as a mention, not twice.
        .exclude(person_id__in=mentioned.values("person_id"))
        .values_list("person_id", "space_id", "channel")
    )
    by_person: dict[int, tuple[str | None, list[str]]] = {}
    for person_id, space_id, channel in rows:
        space_pref, topic_prefs = by_person.get(person_id, (None, []))
        if space_id is not None:
            space_pref = channel
        else:
            topic_prefs.append(channel)
        by_person[person_id] = (space_pref, topic_prefs)
    found: dict[int, str] = {}
    for person_id, (space_pref, topic_prefs) in by_person.items():
        channel = resolve_channel(Kind.NEW_POST, None, space_pref, topic_prefs)
        if channel != Channel.OFF:
            found[person_id] = channel
    return found


def write(event: Event, the_plan: Plan, channels: dict[int, str]) -> list[int]:
    """Fold ``event`` into the recipients' notifications (one transaction); the ids of the
    rows created or bumped. Recipients who already have this event are skipped."""
    with transaction.atomic():
        done = set(
            NotificationEvent.objects.filter(event_id=event.pk).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = sorted(pk for pk in channels if pk not in done)
        if not fresh:
            return []
        NotificationEvent.objects.bulk_create(
            [NotificationEvent(event_id=event.pk, recipient_id=pk) for pk in fresh]
        )
        unread = Notification.objects.filter(
            kind=the_plan.kind,
            subject=the_plan.subject,
            read_at__isnull=True,
            recipient_id__in=NotificationEvent.objects.filter(event_id=event.pk).values(
                "recipient_id"
            ),
        )
        fresh_set = set(fresh)
        grouped = {
            recipient: pk
            for recipient, pk in unread.values_list("recipient_id", "pk")
            if recipient in fresh_set
        }
        ids = list(grouped.values())
        if grouped:
            _bump(event, unread, ids)
        created = _create(event, the_plan, channels, [pk for pk in fresh if pk not in grouped])
        ids += created
        hooks.notified(ids)
    return ids


def _bump(event: Event, unread: QuerySet[Notification], ids: list[int]) -> None:
    """Add the actor to rows already unread and move them up (idempotent: a second delivery
    adds no actor and leaves the newest event where it is)."""
    NotificationActor.objects.bulk_create(
        [NotificationActor(notification_id=pk, actor_id=event.actor_id) for pk in ids],
        ignore_conflicts=True,
    )
    actors = (
        NotificationActor.objects.filter(notification_id=OuterRef("pk"))
        .values("notification_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    newer = Q(last_event_id__lt=event.pk)
    unread.update(
        actor_count=Subquery(actors),
        last_actor_id=Case(
            When(newer, then=Value(event.actor_id)),
            default=F("last_actor_id"),
            output_field=BigIntegerField(),
        ),
        last_event_id=Greatest(F("last_event_id"), Value(event.pk), output_field=BigIntegerField()),
        updated_at=Greatest(F("updated_at"), Value(event.at), output_field=DateTimeField()),
    )


def _create(event: Event, the_plan: Plan, channels: dict[int, str], people: list[int]) -> list[int]:
    if not people:
        return []
    content_id = the_plan.content.pk if the_plan.content is not None else None
    space_id = the_plan.space.pk if the_plan.space is not None else None
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=the_plan.kind,
                content_id=content_id,
                space_id=space_id,
                subject=the_plan.subject,
                channel=channels[pk],
                actor_count=1,
                last_actor_id=event.actor_id,
                first_event_id=event.pk,
                last_event_id=event.pk,
                created_at=event.at,
                updated_at=event.at,
            )
            for pk in people
        ]
    )
    ids = [row.pk for row in rows]
    if None in ids:  # a backend that cannot return ids from a bulk insert
        ids = list(
            Notification.objects.filter(
                first_event_id=event.pk, kind=the_plan.kind, recipient_id__in=people
            ).values_list("pk", flat=True)
        )
    NotificationActor.objects.bulk_create(
        [NotificationActor(notification_id=pk, actor_id=event.actor_id) for pk in ids]
    )
    return ids


def moderation_plans(event: Event) -> list[tuple[Plan, dict[int, str]]]:
    """A moderator's decision on content (``moderated``; the ``ModerationDecision`` row
    whose ``event_id`` is this event) tells two audiences: the author, about their content
    (shown to them even while hidden: ``queries.shown_to``); the people who flagged it, about
    the space (the content may be hidden or deleted, and they must not learn more than that
    it was reviewed). A decision on a profile tells its owner and the people who flagged it
    (subject ``profile:<id>``: neither content nor a space). Lifted suspensions tell nobody
    yet."""
    decision = (
        ModerationDecision.objects.select_related("content__space", "content__root")
        .filter(event_id=event.pk)
        .first()
    )
    if decision is None:
        return []
    if decision.content is None:
        return _profile_plans(event, decision)
    content = decision.content
    plans = [
        Plan(
            Kind.MODERATION,
            content_subject(content.pk),
            content=content,
            space=content.space,
            candidates=[decision.author_id],
            object_id=content.pk,
        )
    ]
    if content.space is not None and decision.item_id is not None:
        flaggers = Flag.objects.filter(item_id=decision.item_id).values_list(
            "flagger_id", flat=True
        )
        plans.append(
            Plan(
                Kind.MODERATION,
                space_subject(content.space.pk),
                space=content.space,
                candidates=list(flaggers),
            )
        )
    return [(p, channels) for p in plans if (channels := recipients(event, p))]


def _profile_plans(event: Event, decision: ModerationDecision) -> list[tuple[Plan, dict[int, str]]]:
    if decision.profile_id is None:
        return []
    told = [decision.profile_id]
    if decision.item_id is not None:
        told += list(
            Flag.objects.filter(item_id=decision.item_id).values_list("flagger_id", flat=True)
        )
    the_plan = Plan(Kind.MODERATION, profile_subject(decision.profile_id), candidates=told)
    channels = recipients(event, the_plan)
    return [(the_plan, channels)] if channels else []


def released_post(event: Event) -> list[int]:
    """A post held for sensitive data that a moderator releases (``moderated``, decision
    restore) reaches its watchers as a newly published post would: the fan-out of the post's
    own ``posted``/``asked`` event is run again now that the post is published (the author is
    its actor, as on any new post). ``write`` keys every notification on (event, recipient),
    so whichever runs second — this, or a late first delivery of that event — tells nobody
    again: once, not twice. Its mentions are told by the release itself (moderation's
    ``mentioned`` events)."""
    decision = (
        ModerationDecision.objects.filter(event_id=event.pk, decision=Decision.RESTORE)
        .select_related("content")
        .first()
    )
    content = decision.content if decision is not None else None
    if content is None or content.parent_id is not None:
        return []
    if (content.sensitive or {}).get("action") != "hold":
        return []
    original = (
        Event.objects.filter(verb__in=("posted", "asked"), object_id=content.pk)
        .order_by("id")
        .first()
    )
    if original is None:
        return []
    the_plan = plan(original)
    if the_plan is None:
        return []
    channels = recipients(original, the_plan)
    return write(original, the_plan, channels) if channels else []


def recognition_told(event: Event) -> list[int]:
    """Kudos (the recipient) and badges (who earned it): one person each
    (``notifications/recognition.py``)."""
    kind = recognition_kinds.VERBS[event.verb]
    found = recognition_kinds.subject_and_recipient(event)
    if found is None:
        return []
    subject, recipient = found
    if kind == Kind.KUDOS and recipient == event.actor_id:
        return []
    channel = recognition_kinds.channel_for(event, kind, recipient)
    if channel == Channel.OFF:
        return []
    return write(event, Plan(kind, subject), {recipient: channel})


def notify(event: Event) -> list[int]:
    """The subscriber: fold one event into notifications (idempotent, keyed on its id)."""
    if event.verb in recognition_kinds.VERBS:
        return recognition_told(event)
    if event.verb == "moderated":
        told = [pk for p, channels in moderation_plans(event) for pk in write(event, p, channels)]
        return told + released_post(event)
    the_plan = plan(event)
    if the_plan is None:
        return []
    channels = recipients(event, the_plan)
    if not channels:
        return []
    return write(event, the_plan, channels)


def register() -> None:
    """Called from ``NotificationsConfig.ready()``."""
    subscribe(*KIND_OF_VERB, *recognition_kinds.VERBS, handler=notify, name=SUBSCRIBER)


def notify_all(events: Sequence[Event]) -> int:
    """Run the fan-out over events already in the log (the demo, after its bulk load): the
    number of notification rows created or bumped."""
    return sum(len(notify(event)) for event in events)

"""Who is told what: the read policy and the home stream's rules, for many people at once.

The poller (``hub.py``) hands these functions the new events of a tick and the people
connected to this process; each answers with a fixed number of queries whatever the number of
people (one per distinct space for the policy's ``space_readers``, plus a handful), never one
query per connection. Everything here runs in a thread (the ORM is synchronous).

``home_audience`` is the converse of ``streams.queries.home_items`` (my spaces, what I
follow, my own posts, minus mutes and hidden tags, within ``permissions.space_readers``): a
post is pushed to exactly the people whose home stream would show it, so the "N new posts"
banner never counts what the stream would not show. ``tests/live/test_audience.py`` compares
the two for every person of the test world.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Q

from rucher.conversations.models import Content
from rucher.messaging.models import Participant
from rucher.notifications.models import Notification
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Membership, Space
from rucher.streams.models import Follow, HideRule, Mute, TargetType

# Verbs whose object is a new root item of a stream (a share is a new post).
POST_VERBS = frozenset({"posted", "asked", "shared"})
# Verbs whose object is a new reply under a conversation.
REPLY_VERBS = frozenset({"commented", "answered"})
# Verbs whose object is a direct-message conversation with a new message.
MESSAGE_VERBS = frozenset({"sent_message"})
LIVE_VERBS = POST_VERBS | REPLY_VERBS | MESSAGE_VERBS


@dataclass(frozen=True)
class NewItem:
    """One new event of interest, as the poller read it from the event log."""

    event_id: int
    verb: str
    object_id: int  # for ``shared``: the original (the event log's contract), not the share
    actor_id: int = 0
    space_id: int | None = None


def _readers(
    space_ids: Iterable[int | None], people: Collection[int]
) -> dict[int | None, set[int]]:
    """For each space (None: profile posts), who of ``people`` may read its content: the
    policy's ``space_readers``, one query per distinct space."""
    spaces = Space.objects.in_bulk([s for s in set(space_ids) if s is not None])
    readers: dict[int | None, set[int]] = {}
    for space_id in set(space_ids):
        space = spaces.get(space_id) if space_id is not None else None
        if space_id is not None and space is None:
            readers[space_id] = set()
            continue
        readers[space_id] = set(
            permissions.space_readers(space).filter(id__in=people).values_list("id", flat=True)
        )
    return readers


def _shares(items: list[NewItem]) -> dict[int, NewItem]:
    """The share posts that ``shared`` events made (their object is the original): the newest
    post sharing that original by that person into that space."""
    if not items:
        return {}
    wanted = {(item.object_id, item.actor_id, item.space_id): item for item in items}
    found: dict[int, NewItem] = {}
    for pk, original, author, space in (
        Content.objects.filter(
            shared_from_id__in={item.object_id for item in items},
            author_id__in={item.actor_id for item in items},
            parent__isnull=True,
        )
        .order_by("id")
        .values_list("id", "shared_from_id", "author_id", "space_id")
    ):
        item = wanted.get((original, author, space))
        if item is not None:
            found = {k: v for k, v in found.items() if v is not item}  # the newest share wins
            found[pk] = item
    return found


def home_audience(items: Iterable[NewItem], people: Collection[int]) -> dict[int, list[int]]:
    """Which of ``people`` would see which new root items in their home stream: person id →
    event ids (each item counted once per person)."""
    by_content = {item.object_id: item for item in items if item.verb in POST_VERBS - {"shared"}}
    by_content.update(_shares([item for item in items if item.verb == "shared"]))
    if not by_content or not people:
        return {}
    rows = list(
        Content.objects.filter(
            id__in=list(by_content),
            status=Content.Status.PUBLISHED,
            parent__isnull=True,
            kind__in=Content.ROOT_KINDS,
        ).values_list("id", "space_id", "author_id", "tag_prefix")
    )
    if not rows:
        return {}
    topics: dict[int, set[int]] = defaultdict(set)
    for content_id, topic_id in Content.topics.through.objects.filter(
        content_id__in=[r[0] for r in rows]
    ).values_list("content_id", "topic_id"):
        topics[content_id].add(topic_id)
    space_ids = {r[1] for r in rows}
    author_ids = {r[2] for r in rows}
    topic_ids = set().union(*topics.values()) if topics else set()
    readers = _readers(space_ids, people)
    candidates = set().union(*readers.values())
    if not candidates:
        return {}
    members = set(
        Membership.objects.filter(
            person_id__in=candidates,
            space_id__in=[s for s in space_ids if s is not None],
            status=Membership.Status.ACTIVE,
        ).values_list("person_id", "space_id")
    )
    targets = (
        Q(target_type=TargetType.SPACE, target_id__in=[s for s in space_ids if s is not None])
        | Q(target_type=TargetType.PERSON, target_id__in=author_ids)
        | Q(target_type=TargetType.TOPIC, target_id__in=topic_ids)
    )
    follows = set(
        Follow.objects.filter(targets, follower_id__in=candidates).values_list(
            "follower_id", "target_type", "target_id"
        )
    )
    mutes = set(
        Mute.objects.filter(targets, person_id__in=candidates).values_list(
            "person_id", "target_type", "target_id"
        )
    )
    prefixes = {r[3] for r in rows if r[3]}
    hidden = (
        set(
            HideRule.objects.filter(person_id__in=candidates, tag__in=prefixes).values_list(
                "person_id", "tag"
            )
        )
        if prefixes
        else set()
    )
    audience: dict[int, list[int]] = defaultdict(list)
    for content_id, space_id, author_id, prefix in rows:
        event_id = by_content[content_id].event_id
        item_topics = topics.get(content_id, set())
        for person in readers.get(space_id, set()):
            if not (
                (space_id is not None and (person, space_id) in members)
                or (space_id is not None and (person, TargetType.SPACE, space_id) in follows)
                or (person, TargetType.PERSON, author_id) in follows
                or person == author_id
                or any((person, TargetType.TOPIC, t) in follows for t in item_topics)
            ):
                continue
            if (
                (space_id is not None and (person, TargetType.SPACE, space_id) in mutes)
                or (person, TargetType.PERSON, author_id) in mutes
                or any((person, TargetType.TOPIC, t) in mutes for t in item_topics)
                or (prefix and (person, prefix) in hidden)
            ):
                continue
            audience[person].append(event_id)
    return dict(audience)


def reply_audience(
    items: Iterable[NewItem], watchers: Mapping[int, Collection[int]]
) -> dict[int, dict[int, list[int]]]:
    """New replies under watched conversations: root id → person id → event ids, for the
    people watching that root (``watchers``: root id → person ids) who may read it."""
    by_reply = {item.object_id: item for item in items if item.verb in REPLY_VERBS}
    if not by_reply or not watchers:
        return {}
    rows = list(
        Content.objects.filter(
            id__in=list(by_reply),
            status=Content.Status.PUBLISHED,
            root_id__in=list(watchers),
            root__status=Content.Status.PUBLISHED,
        ).values_list("id", "root_id", "space_id")
    )
    if not rows:
        return {}
    people = set().union(*(watchers[root] for _, root, _ in rows))
    readers = _readers({space for _, _, space in rows}, people)
    found: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for reply_id, root_id, space_id in rows:
        for person in watchers[root_id]:
            if person in readers.get(space_id, set()):
                found[root_id][person].append(by_reply[reply_id].event_id)
    return {root: dict(people) for root, people in found.items()}


def unread_counts(people: Collection[int]) -> dict[int, int]:
    """Unread notifications of each of ``people`` (0 when none), in one grouped query on the
    partial index of unread rows."""
    if not people:
        return {}
    counts = dict.fromkeys(people, 0)
    for recipient, count in (
        Notification.objects.filter(recipient_id__in=list(people), read_at__isnull=True)
        .values("recipient_id")
        .annotate(count=Count("id"))
        .values_list("recipient_id", "count")
    ):
        counts[recipient] = count
    return counts


def message_audience(
    items: Iterable[NewItem], watchers: Mapping[int, Collection[int]]
) -> dict[int, dict[int, list[int]]]:
    """New messages in watched direct-message conversations: conversation id → person id →
    event ids, for the people watching it who still take part in it (one query). The author
    is told too: their other tabs show what they sent."""
    by_conversation: dict[int, list[int]] = {}
    for item in items:
        if item.verb in MESSAGE_VERBS and item.object_id in watchers:
            by_conversation.setdefault(item.object_id, []).append(item.event_id)
    if not by_conversation:
        return {}
    wanted = {p for c in by_conversation for p in watchers[c]}
    taking_part = Participant.objects.filter(
        conversation_id__in=list(by_conversation), person_id__in=list(wanted)
    ).values_list("conversation_id", "person_id")
    told: dict[int, dict[int, list[int]]] = {}
    for conversation_id, person_id in taking_part:
        if person_id in watchers[conversation_id]:
            told.setdefault(conversation_id, {})[person_id] = by_conversation[conversation_id]
    return told


def may_follow_conversation(person: Person, conversation_id: int) -> bool:
    """Whether this person may follow a direct-message conversation: they take part in it
    (as its page requires; nobody else, administrators included)."""
    return Participant.objects.filter(conversation_id=conversation_id, person=person).exists()


def may_watch(person: Person, content_id: int) -> bool:
    """Whether this person may follow the replies of this conversation: a root they read, or a
    hidden root they still see on its page (its author, its moderators), as the page does."""
    roots = Content.objects.filter(pk=content_id, parent__isnull=True)
    if Content.objects.visible_to(person).filter(pk=content_id, parent__isnull=True).exists():
        return True
    return permissions.hidden_content_seen(person, roots).exists()

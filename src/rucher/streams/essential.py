"""Essentiel: a short stream chosen for the reader ("less is more"), each item with its reason.

Beside the chronological home stream (``streams.queries``, untouched here). The candidates are
the recent conversations (posts, questions, polls of the last ``RUCHER_ESSENTIAL_DAYS``) the
reader may read, through the read policy (``Content.objects.visible_to``), minus their own,
what they muted and the ``[tag]``s they hide; the newest ``CANDIDATES`` of them are scored by
``rucher.insights.essential`` (pure, the same code ``rucher evaluate essential`` measures on
held-out time) from the reader's own recent acts (the event log), their follows and
memberships, and each conversation's replies, reactions and mentions. The best
``RUCHER_ESSENTIAL_ITEMS`` (20) are kept, with at most a few per author and per space.

A page costs a fixed number of queries whatever the number of candidates (pinned in
``tests/streams/test_essential.py``), and is cached until the next write like the other
streams (``streams.cache.cached``: the reasons are stored as codes and put in words in the
reader's language when shown).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rucher.activity.models import Event
from rucher.conversations.models import Content, Reaction, Topic
from rucher.insights import essential as model
from rucher.people.models import Person
from rucher.spaces.models import Membership
from rucher.streams import reading
from rucher.streams.cache import cached
from rucher.streams.models import Follow, HideRule, Mute, TargetType

CANDIDATES = 300  # the newest readable conversations scored per page
CONTENT_KINDS = frozenset(Content.Kind.values)  # (``Kind.values`` builds a list per call)
ID_CHUNK = 5_000  # ids per IN list, well under SQLite's limit of bound parameters
ACTS = 500  # the reader's most recent acts read for their profile
PROFILE_DAYS = 90
MAX_ITEMS = reading.MAX_ESSENTIAL_ITEMS
ROOT_KINDS = [k.value for k in Content.ROOT_KINDS]
# The acts that say something about a reader's interests (reads count a little).
PROFILE_VERBS = sorted(model.ACT_WEIGHTS)


@dataclass
class EssentialItem:
    content: Content
    score: float
    reasons: tuple[model.Reason, ...]
    topic_names: tuple[str, ...] = ()


@dataclass
class Essential:
    items: list[EssentialItem]
    my_reactions: dict[int, str] = field(default_factory=dict)
    candidates: int = 0
    days: int = 7


def item_count(reader: Person, limit: Any = None) -> int:
    """How many items to show: ``limit`` (1–50), else the reader's own choice, else the
    organisation's setting (``streams.reading``)."""
    if limit is None or limit == "":
        return reading.essential_items(reader)
    return reading.parse_items(limit)


def essential(reader: Person, limit: Any = None, generation: int | None = None) -> Essential:
    """The reader's Essentiel, cached until the next write (``streams.cache``)."""
    size = item_count(reader, limit)
    return cached(
        reader, "essential", (size,), lambda: build_essential(reader, size), generation=generation
    )


def _without_muted(reader: Person, items: QuerySet[Content]) -> QuerySet[Content]:
    """The reader's mutes and hidden ``[tag]``s, as subqueries (no extra round trip)."""
    mutes = Mute.objects.filter(person_id=reader.pk)
    muted_topic = Content.topics.through.objects.filter(
        content_id=OuterRef("pk"),
        topic_id__in=mutes.filter(target_type=TargetType.TOPIC).values("target_id"),
    )
    return (
        items.exclude(space_id__in=mutes.filter(target_type=TargetType.SPACE).values("target_id"))
        .exclude(author_id__in=mutes.filter(target_type=TargetType.PERSON).values("target_id"))
        .exclude(Exists(muted_topic))
        .exclude(tag_prefix__in=HideRule.objects.filter(person_id=reader.pk).values("tag"))
    )


def candidates_for(reader: Person, now: datetime, days: int) -> QuerySet[Content]:
    """The recent conversations the reader may read and has not muted, newest first."""
    items = (
        Content.objects.visible_to(reader)
        .filter(
            parent__isnull=True, kind__in=ROOT_KINDS, created_at__gte=now - timedelta(days=days)
        )
        .filter(created_at__lte=now)
        .exclude(author_id=reader.pk)
    )
    return _without_muted(reader, items).order_by("-created_at", "-id")


def _profile(reader: Person, now: datetime) -> model.Profile:
    follows: dict[str, set[int]] = defaultdict(set)
    for target_type, followed in Follow.objects.filter(follower_id=reader.pk).values_list(
        "target_type", "target_id"
    ):
        follows[target_type].add(followed)
    followed_topics = set()
    if follows[TargetType.TOPIC]:
        followed_topics = set(
            Topic.objects.filter(pk__in=follows[TargetType.TOPIC]).values_list("name", flat=True)
        )
    member = Membership.objects.filter(
        person_id=reader.pk, status=Membership.Status.ACTIVE
    ).values_list("space_id", flat=True)
    acts = list(
        Event.objects.filter(
            actor_id=reader.pk, at__gte=now - timedelta(days=PROFILE_DAYS), verb__in=PROFILE_VERBS
        )
        .order_by("-at")
        .values_list("at", "verb", "object_type", "object_id", "space_id", "target_id")[:ACTS]
    )
    content_ids = {
        oid for _, _, kind, oid, _, _ in acts if kind in CONTENT_KINDS and oid is not None
    }
    placed: dict[int, tuple[int, int]] = {}  # content id -> (root id, root's author)
    topics: dict[int, list[str]] = defaultdict(list)
    if content_ids:
        for cid, croot, cauthor, rauthor in Content.objects.filter(pk__in=content_ids).values_list(
            "pk", "root_id", "author_id", "root__author_id"
        ):
            placed[cid] = (croot or cid, rauthor if croot else cauthor)
        for tid, name in Content.topics.through.objects.filter(
            content_id__in={r for r, _ in placed.values()}
        ).values_list("content_id", "topic__name"):
            topics[tid].append(name)
    profile_acts: list[model.Act] = []
    for at, verb, kind, oid, space, target in acts:
        where = placed.get(oid) if kind in CONTENT_KINDS and oid is not None else None
        act_root: int | None = where[0] if where is not None else None
        author: int | None = where[1] if where is not None else None
        person = target if target is not None else (author if author != reader.pk else None)
        if kind == "person" and oid is not None and verb == "followed":
            person = oid
        profile_acts.append(
            model.Act(
                at,
                verb,
                person_id=person,
                space_id=space,
                topics=tuple(topics.get(act_root, ())) if act_root else (),
                root_id=act_root,
            )
        )
    return model.build_profile(
        profile_acts,
        now,
        followed_people=follows[TargetType.PERSON],
        followed_spaces=follows[TargetType.SPACE],
        followed_topics=followed_topics,
        member_spaces=member,
    )


def build_essential(reader: Person, limit: int, now: datetime | None = None) -> Essential:
    """Score the recent conversations for ``reader`` and keep the best ``limit``."""
    days = int(getattr(settings, "RUCHER_ESSENTIAL_DAYS", 7))
    if not reader.is_active:
        return Essential([], days=days)
    now = now or timezone.now()
    rows = list(
        candidates_for(reader, now, days).values_list(
            "pk", "kind", "author_id", "space_id", "created_at"
        )[:CANDIDATES]
    )
    if not rows:
        return Essential([], days=days)
    ids = [row[0] for row in rows]
    profile = _profile(reader, now)
    topics: dict[int, list[str]] = defaultdict(list)
    for pk, name in Content.topics.through.objects.filter(content_id__in=ids).values_list(
        "content_id", "topic__name"
    ):
        topics[pk].append(name)
    repliers: dict[int, set[int]] = defaultdict(set)
    answered: set[int] = set()
    accepted: set[int] = set()
    root_of: dict[int, int] = {pk: pk for pk in ids}  # each published item -> its conversation
    # By conversation only; the status is checked here: with it in the query, SQLite's
    # planner read the status index instead (1.3 s at a million items, 10 ms without).
    for pk, root, author, kind, is_accepted, status in Content.objects.filter(
        root_id__in=ids
    ).values_list("pk", "root_id", "author_id", "kind", "accepted", "status"):
        if status != Content.Status.PUBLISHED:
            continue
        root_of[pk] = root
        if author != reader.pk:
            repliers[root].add(author)
        if kind == Content.Kind.ANSWER:
            answered.add(root)
            if is_accepted:
                accepted.add(root)
    reactors: dict[int, set[int]] = defaultdict(set)
    for pk, person in (
        Reaction.objects.filter(content_id__in=ids)
        .exclude(person_id=reader.pk)
        .values_list("content_id", "person_id")
    ):
        reactors[pk].add(person)
    # The reader's mentions among the published items just read, by their ids: a join with
    # the content table let the planner walk it (0.3 s at a million items).
    mentioned: set[int] = set()
    published = list(root_of)
    for start in range(0, len(published), ID_CHUNK):
        mentioned.update(
            root_of[pk]
            for pk in Content.mentions.through.objects.filter(
                person_id=reader.pk, content_id__in=published[start : start + ID_CHUNK]
            ).values_list("content_id", flat=True)
        )
    candidates = [
        model.Candidate(
            id=pk,
            at=at,
            kind=kind,
            author_id=author,
            space_id=space,
            topics=tuple(sorted(topics.get(pk, ()))),
            repliers=tuple(sorted(repliers.get(pk, ()))),
            reactors=tuple(sorted(reactors.get(pk, ()))),
            mentions_reader=pk in mentioned,
            accepted=pk in accepted,
            answered=pk in answered,
        )
        for pk, kind, author, space, at in rows
    ]
    chosen = model.rank(profile, candidates, now, limit)
    # By primary key only; the status is checked here: with it in the query, the planner
    # may read the status index instead of the 20 rows (0.3 s at a million items).
    by_id = (
        Content.objects.select_related("author", "author__department", "space")
        .prefetch_related("topics")
        .order_by()
        .in_bulk([s.candidate.id for s in chosen])
    )
    items = [
        EssentialItem(by_id[s.candidate.id], s.score, s.reasons, s.candidate.topics)
        for s in chosen
        if s.candidate.id in by_id and by_id[s.candidate.id].status == Content.Status.PUBLISHED
    ]
    mine = dict(
        Reaction.objects.filter(
            person_id=reader.pk, content_id__in=[i.content.pk for i in items]
        ).values_list("content_id", "kind")
    )
    return Essential(items, mine, candidates=len(candidates), days=days)


def describe(reason: model.Reason, item: Content) -> str:
    """A reason in the reader's language, naming what the reader can recognise."""
    code, args = reason.code, reason.args
    if code == "followed_person":
        return _("you follow %(name)s") % {"name": item.author.display_name}
    if code == "author":
        return _("you often deal with %(name)s") % {"name": item.author.display_name}
    if code == "followed_space":
        return _("you follow the space %(space)s") % {"space": _space_name(item)}
    if code == "member_space":
        return _("you are a member of %(space)s") % {"space": _space_name(item)}
    if code == "space":
        return _("you are active in %(space)s") % {"space": _space_name(item)}
    if code == "followed_topic":
        return _("you follow #%(topic)s") % {"topic": args[0]}
    if code == "topic":
        return _("you often take part in #%(topic)s") % {"topic": args[0]}
    if code == "people":
        return ngettext(
            "%(n)d person you often deal with took part",
            "%(n)d people you often deal with took part",
            args[0],
        ) % {"n": args[0]}
    if code == "mention":
        return _("you are mentioned")
    if code == "repliers":
        return ngettext("%(n)d person replied", "%(n)d different people replied", args[0]) % {
            "n": args[0]
        }
    if code == "reactions":
        return ngettext("%(n)d reaction", "%(n)d reactions", args[0]) % {"n": args[0]}
    if code == "accepted":
        return _("it has an accepted answer")
    if code == "waiting":
        return _("a question on a subject you know still waits for an answer")
    if code == "replied":
        return _("you took part in this conversation")
    return _("it is recent")


def _space_name(item: Content) -> str:
    return item.space.name if item.space is not None else _("a profile")


# A reason left unsaid when a stronger one about the same thing is there.
_COVERED: dict[str, set[str]] = {
    "author": {"followed_person"},
    "space": {"followed_space"},
    "member_space": {"space"},
    "topic": {"followed_topic"},
}


def why(item: EssentialItem, most: int = 2) -> list[str]:
    """The words beside an item: its strongest reasons (at least one)."""
    codes = {r.code for r in item.reasons}
    reasons = [r for r in item.reasons if not (_COVERED.get(r.code, set()) & codes)][:most]
    return [describe(r, item.content) for r in reasons] or [_("it is recent")]

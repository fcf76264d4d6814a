"""Essentiel: a short stream chosen for the reader ("less is more"), each item with its reason.

Beside the chronological home stream (``streams.queries``, untouched here). The candidates are
the recent conversations (posts, questions, polls of the last ``RUCHER_ESSENTIAL_DAYS``) the
reader may read, through the read policy (``Content.objects.visible_to``), minus their own,
what they muted and the ``[tag]``s they hide; the newest ``CANDIDATES`` of them are scored by
``rucher.insights.essential`` (pure, the same code ``benchmarks/essential_eval.py`` measures on
held-out time) from the reader's own recent acts (the event log), their follows and
memberships, each conversation's replies, reactions and mentions, and its closeness in meaning
to what the reader writes. The best
``RUCHER_ESSENTIAL_ITEMS`` (20) are kept, with at most a few per author and per space.

A choice costs a fixed number of queries whatever the number of candidates (pinned in
``tests/streams/test_essential.py``). It is a short list for the day, not a feed: it is kept
(:func:`kept_choice`) until the reader does something themselves (a reply, a reaction, a
follow, a mute, a read...) or for ``RUCHER_ESSENTIAL_REFRESH_SECONDS`` (300), not renewed by every
write of the organisation (at two posts a second, it was chosen again twice a second for every
reader). Its rows are read again, through the read policy and the reader's mutes, whenever the
page is (:func:`with_rows`): an item deleted, hidden, moved out of the reader's reach or muted
leaves at once, an edit or a reaction shows at once. The page is kept until a write that may
change one of its rows, like the home stream's (``streams.cache.cached_watched``), in the
form its transport serves (:func:`presented_essential`): for the web page the items with
their reasons as codes, put in words in the reader's language when shown; for the API the
JSON body, one per language.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rucher.activity.models import Event
from rucher.conversations.models import Content, Reaction, Topic
from rucher.db.lookups import AnyOf
from rucher.insights import essential as model
from rucher.insights.verbs import CONTRIBUTION_VERBS
from rucher.meaning.models import ContentVector
from rucher.meaning.vectors import ENCODER, from_bytes
from rucher.people.models import Person
from rucher.spaces.models import Membership
from rucher.streams import reading, scans
from rucher.streams.cache import Built, cached_watched
from rucher.streams.models import EssentialPin, Follow, TargetType
from rucher.streams.queries import page_rows_query, without_muted
from rucher.streams.relevance import Watch

CANDIDATES = 300  # the newest readable conversations scored per page
CONTENT_KINDS = frozenset(Content.Kind.values)  # (``Kind.values`` builds a list per call)
ACTS = 500  # the reader's most recent acts read for their profile
PROFILE_DAYS = 90
MAX_ITEMS = reading.MAX_ESSENTIAL_ITEMS
# Pinned items shown at most, first: a short list stays chosen for its reader.
MAX_PINS = 3
ROOT_KINDS = [k.value for k in Content.ROOT_KINDS]
# The acts that say something about a reader's interests (reads count a little).
PROFILE_VERBS = sorted(model.ACT_WEIGHTS)
T = TypeVar("T")


@dataclass
class EssentialItem:
    content: Content
    score: float
    reasons: tuple[model.Reason, ...]
    topic_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chosen:
    """One item of a choice: what scoring said of it. Its row is read when a page is built."""

    id: int
    score: float
    reasons: tuple[model.Reason, ...]
    topic_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    """The reader's Essentiel as chosen, best first, before its rows are read."""

    chosen: tuple[Chosen, ...]
    candidates: int = 0
    days: int = 7
    chosen_at: float = field(default_factory=time.time)
    size: int = MAX_ITEMS  # how many items the page shows, pinned ones included


@dataclass
class Essential:
    items: list[EssentialItem]
    my_reactions: dict[int, str] = field(default_factory=dict)
    candidates: int = 0
    days: int = 7
    chosen_at: float = field(default_factory=time.time)  # when its choice was made
    # When the first of its pins ends (a timestamp), None without pins: the page is not kept
    # past it, since an end is no write.
    pins_end: float | None = None


def item_count(reader: Person, limit: Any = None) -> int:
    """How many items to show: ``limit`` (1–50), else the reader's own choice, else the
    organisation's setting (``streams.reading``)."""
    if limit is None or limit == "":
        return reading.essential_items(reader)
    return reading.parse_items(limit)


def essential(reader: Person, limit: Any = None, generation: int | None = None) -> Essential:
    """The reader's Essentiel: the kept choice (:func:`kept_choice`) with its rows read again
    through the policy (model instances, for the page's template)."""
    return presented_essential(reader, limit, _as_it_is, "page", generation)


def _as_it_is(page: Essential) -> Essential:
    return page


@dataclass(frozen=True)
class _Kept:
    """What a kept page needs to be served again after new posts: no row, only when it was
    chosen, what is served and what it watches (cheap to copy in and out of the cache)."""

    chosen_at: float
    value: Any
    watch: Watch


def presented_essential(
    reader: Person,
    limit: Any,
    present: Callable[[Essential], T],
    variant: str,
    generation: int | None = None,
) -> T:
    """The reader's Essentiel as ``present`` makes it (``variant`` names that form in the
    cache, with the reader's language where it holds words): the API keeps its serialised
    body, so that a repeated read unpickles bytes, not twenty model instances.

    The page is kept like the home stream's (``streams.cache``, ``cached_watched``): built
    again only after a write that may change one of its rows (in the space of one of its
    items, the reader's own, anything that is not about content); new posts elsewhere or in
    those spaces keep it as it is, since new items enter a choice only when it is made
    again."""
    size = item_count(reader, limit)

    def build(_scope: Any) -> Built[T]:
        page = with_rows(reader, kept_choice(reader, size))
        value, watch = present(page), _watch(page)
        until_a_pin_ends = None
        if page.pins_end is not None:
            until_a_pin_ends = max(1, math.ceil(page.pins_end - time.time()))
        return Built(value, watch, kept=_Kept(page.chosen_at, value, watch), ttl=until_a_pin_ends)

    def keep(kept: _Kept, _since: datetime) -> Built[T]:
        if time.time() - kept.chosen_at >= refresh_seconds():
            return build(None)  # its choice is due to be made again
        return Built(kept.value, kept.watch, kept=kept)

    return cached_watched(
        reader,
        "essential",
        (size, variant),
        build,
        generation=generation,
        renew=keep,
        ttl=refresh_seconds(),
    )


def _watch(page: Essential) -> Watch:
    """The writes that may change the page's rows: those in its items' spaces (profile
    posts, without a space, and the reader's own writes always count)."""
    spaces = {item.content.space_id for item in page.items}
    return Watch(
        spaces=frozenset(s for s in spaces if s is not None),
        beyond=False,
        scope_read_at=time.time(),
    )


def refresh_seconds() -> int:
    return int(getattr(settings, "RUCHER_ESSENTIAL_REFRESH_SECONDS", 300))


def own_acts(reader: Person) -> QuerySet[Event]:
    """The reader's acts, newest first: one step down the ``event_actor`` index
    (``tests/streams/test_plans.py``). Reads count too: they are part of the profile (what
    was read weighs less). Not "writes only": with ``dedupe_key IS NULL`` in the query,
    SQLite without statistics read every write through the ``dedupe_key`` index and sorted
    them."""
    return Event.objects.filter(actor_id=reader.pk).order_by("-at")


def own_last_act(reader: Person) -> int:
    return own_acts(reader).values_list("id", flat=True).first() or 0


def kept_choice(reader: Person, size: int) -> Choice:
    """The reader's choice of ``size`` items, chosen again once they act themselves (their
    own acts make their profile: a follow, a reply, a mute, a read) or after
    ``refresh_seconds()``; others' writes wait for the refresh."""
    key = f"essential-choice:{reader.pk}:{size}:{own_last_act(reader)}"
    found = cache.get(key)
    if found is None:
        found = choose(reader, size)
        cache.set(key, found, refresh_seconds())
    return found


def candidates_for(reader: Person, now: datetime, days: int) -> QuerySet[Content]:
    """The recent conversations the reader may read and has not muted, newest first: the
    read policy's plain query, which :func:`candidate_rows` answers by scans (and the tests
    compare the two)."""
    items = (
        Content.objects.visible_to(reader)
        .filter(
            parent__isnull=True, kind__in=ROOT_KINDS, created_at__gte=now - timedelta(days=days)
        )
        .filter(created_at__lte=now)
        .exclude(author_id=reader.pk)
    )
    return without_muted(reader, items).order_by("-created_at", "-id")


def candidate_rows(
    reader: Person, now: datetime, days: int
) -> list[tuple[int, str, int, int | None, datetime]]:
    """(id, kind, author, space, created_at) of ``candidates_for``'s first ``CANDIDATES``,
    found by index-ordered scans (``streams.scans``) rather than by that one query, which
    the planner ran by reading every readable root of the window (320 ms a reader at a
    million items): one scan per readable space, or one walk of the root index for a
    reader of more than ``scans.WIDE``, plus the profile posts an employee may read.
    ``tests/streams/test_essential.py`` proves the two give the same rows for every kind of
    reader."""
    readable_sql, readable_params = scans.readable_sql(reader.is_guest, reader.pk)
    with connection.cursor() as cursor:
        cursor.execute(readable_sql, readable_params)
        readable = sorted(int(row[0]) for row in cursor.fetchall())
    found = scans.space_scans(readable) if readable else []
    if not reader.is_guest:  # the policy lets employees read profile posts
        found.append(
            scans.Scan(
                "c.space_id IS NULL", [], readable_only=False, index="content_root_space_stream"
            )
        )
    rows = scans.row_conditions(since=now - timedelta(days=days), preferences_of=reader.pk)
    rows.add("c.created_at <= %s", connection.ops.adapt_datetimefield_value(now))
    rows.add("c.author_id <> %s", reader.pk)
    ids = [pk for pk, _, _ in scans.newest(reader, found, rows, CANDIDATES)]
    if not ids:
        return []
    by_id = {
        row[0]: row
        for row in Content.objects.filter(AnyOf(F("pk"), ids))
        .order_by()
        .values_list("pk", "kind", "author_id", "space_id", "created_at")
    }
    return [by_id[pk] for pk in ids if pk in by_id]


def _profile(reader: Person, now: datetime) -> tuple[model.Profile, list[tuple[datetime, int]]]:
    """The reader's profile, and their own most recent contributions (when, content id),
    newest first, whose meaning makes their interest vector."""
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
        for cid, croot, cauthor, rauthor in (
            Content.objects.filter(AnyOf(F("pk"), sorted(content_ids)))
            .order_by()
            .values_list("pk", "root_id", "author_id", "root__author_id")
        ):
            placed[cid] = (croot or cid, rauthor if croot else cauthor)
        for tid, name in Content.topics.through.objects.filter(
            AnyOf(F("content_id"), sorted({r for r, _ in placed.values()}))
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
    profile = model.build_profile(
        profile_acts,
        now,
        followed_people=follows[TargetType.PERSON],
        followed_spaces=follows[TargetType.SPACE],
        followed_topics=followed_topics,
        member_spaces=member,
    )
    written = [
        (at, oid)
        for at, verb, kind, oid, _, _ in acts
        if verb in CONTRIBUTION_VERBS and kind in CONTENT_KINDS and oid is not None
    ][: model.INTEREST_ITEMS]
    return profile, written


def _closeness(
    written: list[tuple[datetime, int]], ids: list[int], now: datetime
) -> dict[int, float]:
    """Each candidate's closeness to what the reader writes about (``model.closeness``),
    from the stored sentence vectors (one statement, by primary key); empty when the reader
    wrote nothing recently. A vector not yet computed (the worker embeds after the write
    commits), emptied (a tombstone) or from another encoder (before ``rucher embed`` has
    caught up with a new one) counts as unknown."""
    if not written:
        return {}
    vectors = {
        pk: from_bytes(data)
        for pk, data in ContentVector.objects.filter(
            AnyOf(F("content_id"), [pk for _, pk in written] + ids), encoder=ENCODER
        )
        .order_by()
        .values_list("content_id", "vector")
        if data
    }
    interest = model.interest_vector(
        ((at, vectors[pk]) for at, pk in written if pk in vectors), now
    )
    if interest is None:
        return {}
    return dict(zip(ids, model.closeness(interest, [vectors.get(pk) for pk in ids]), strict=True))


def build_essential(reader: Person, limit: int, now: datetime | None = None) -> Essential:
    """Score the recent conversations for ``reader`` and show the best ``limit``."""
    return with_rows(reader, choose(reader, limit, now))


def choose(reader: Person, limit: int, now: datetime | None = None) -> Choice:
    """Score the recent conversations for ``reader`` and keep the best ``limit``."""
    days = int(getattr(settings, "RUCHER_ESSENTIAL_DAYS", 7))
    if not reader.is_active:
        return Choice((), days=days, size=limit)
    now = now or timezone.now()
    rows = candidate_rows(reader, now, days)
    if not rows:
        return Choice((), days=days, size=limit)
    ids = [row[0] for row in rows]
    profile, written = _profile(reader, now)
    close = _closeness(written, ids, now)
    topics: dict[int, list[str]] = defaultdict(list)
    for pk, name in Content.topics.through.objects.filter(AnyOf(F("content_id"), ids)).values_list(
        "content_id", "topic__name"
    ):
        topics[pk].append(name)
    repliers: dict[int, set[int]] = defaultdict(set)
    answered: set[int] = set()
    accepted: set[int] = set()
    root_of: dict[int, int] = {pk: pk for pk in ids}  # each published item -> its conversation
    # By conversation only; the status is checked here: with it in the query, SQLite's
    # planner read the status index instead (1.3 s at a million items, 10 ms without).
    for pk, root, author, kind, is_accepted, status in (
        Content.objects.filter(AnyOf(F("root_id"), ids))
        .order_by()
        .values_list("pk", "root_id", "author_id", "kind", "accepted", "status")
    ):
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
        Reaction.objects.filter(AnyOf(F("content_id"), ids))
        .exclude(person_id=reader.pk)
        .order_by()
        .values_list("content_id", "person_id")
    ):
        reactors[pk].add(person)
    # The reader's mentions among the published items just read, by their ids: a join with
    # the content table let the planner walk it (0.3 s at a million items).
    mentioned = {
        root_of[pk]
        for pk in Content.mentions.through.objects.filter(
            AnyOf(F("content_id"), list(root_of)), person_id=reader.pk
        ).values_list("content_id", flat=True)
    }
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
            closeness=close.get(pk, 0.0),
        )
        for pk, kind, author, space, at in rows
    ]
    chosen = model.rank(profile, candidates, now, limit)
    return Choice(
        tuple(Chosen(s.candidate.id, s.score, s.reasons, s.candidate.topics) for s in chosen),
        candidates=len(candidates),
        days=days,
        size=limit,
    )


def pinned_for(reader: Person) -> list[tuple[int, datetime]]:
    """The items pinned, and not yet ended, in the spaces the reader is a member of, with
    when each pin ends, the latest pinned first (at most ``MAX_PINS``; whether the reader
    may read them is the policy's to say, in :func:`with_rows`)."""
    member = Membership.objects.filter(person_id=reader.pk, status=Membership.Status.ACTIVE).values(
        "space_id"
    )
    return list(
        EssentialPin.objects.filter(space_id__in=member, until__gt=timezone.now())
        .order_by("-pinned_at")
        .values_list("content_id", "until")[:MAX_PINS]
    )


def with_rows(reader: Person, choice: Choice) -> Essential:
    """The items pinned in the reader's spaces (first, read at every page: a pin shows at
    once), then the chosen items, those the reader may read now and has not muted since,
    with their rows and the reader's reactions (one statement, by primary key:
    ``queries.page_rows_query``). Published only: the policy lets a moderator and an author
    read what is hidden or held, which has no place in a short list."""
    pins = pinned_for(reader)
    pinned = {pk for pk, _ in pins}
    pins_end = min((until.timestamp() for _, until in pins), default=None)
    wanted = [Chosen(pk, 0.0, (model.Reason("pinned", 0.0),)) for pk, _ in pins]
    wanted += [c for c in choice.chosen if c.id not in pinned]
    if not wanted:
        return Essential(
            [], candidates=choice.candidates, days=choice.days, chosen_at=choice.chosen_at
        )
    found = without_muted(reader, page_rows_query(reader, [c.id for c in wanted]))
    by_id = {row.pk: row for row in found}
    items = [
        EssentialItem(by_id[c.id], c.score, c.reasons, c.topic_names)
        for c in wanted
        if c.id in by_id and by_id[c.id].status == Content.Status.PUBLISHED
    ][: choice.size]
    mine = {
        item.content.pk: kind
        for item in items
        if (kind := getattr(item.content, "my_reaction", None))
    }
    return Essential(
        items,
        mine,
        candidates=choice.candidates,
        days=choice.days,
        chosen_at=choice.chosen_at,
        pins_end=pins_end,
    )


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
    if code == "pinned":
        return _("pinned by the community managers of %(space)s") % {"space": _space_name(item)}
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
    if code == "close":
        return _("close to what you write about")
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

"""What is new since the last look, and who should hear of it (synchronous: runs in a thread).

The database is the source of truth: the event log (monotonic ids) says what was written,
the notification rows say what is unread. One ``Poller`` per server process reads, per tick,
the events after its watermark (one indexed range query on the primary key) and the unread
counts of the people connected (one grouped query), and decides through ``audience`` who is
told what: a constant number of queries whatever the number of connections.

PostgreSQL hands out ids when a row is inserted, not when its transaction commits, so a
smaller id may appear after a larger one. Ids skipped by a read are remembered as gaps for
``GAP_SECONDS`` and asked for again at each tick (``id IN (…)``, beside the range); SQLite
has one writer at a time, so there ids appear in order and no gap is ever filled.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Max, Q

from rucher.activity.models import Event
from rucher.live.audience import (
    LIVE_VERBS,
    NewItem,
    home_audience,
    message_audience,
    reply_audience,
    unread_counts,
)
from rucher.notifications import queries
from rucher.people.models import Person

# A transaction open longer than this between its insert and its commit is not pushed (it is
# still shown by the next page load). Gaps are common on PostgreSQL: an insert that ignores a
# conflict (the daily ``viewed`` rows) still takes a number from the sequence.
GAP_SECONDS = 5.0
MAX_GAPS = 2_000
BATCH = 2_000  # events read per tick at most (a burst is read over the next ticks)
CATCH_UP = 1_000  # events replayed for one resuming connection at most


@dataclass(frozen=True)
class Listener:
    """What the poller needs to know of one connection (the hub keeps the rest)."""

    key: int
    person_id: int
    watching: int | None = None
    resume_after: int | None = None  # replay events after this id (Last-Event-ID), once
    conversation: int | None = None  # a direct-message conversation open on the page


@dataclass
class Tick:
    """What one tick decided: the watermark, and per connection key what to tell it."""

    watermark: int
    new_posts: dict[int, int] = field(default_factory=dict)  # key → count
    new_replies: dict[int, int] = field(default_factory=dict)  # key → count (watched root)
    unread: dict[int, int] = field(default_factory=dict)  # person → the bell's count
    new_messages: dict[int, int] = field(default_factory=dict)  # key → count (conversation)


class Poller:
    def __init__(self) -> None:
        self.watermark: int | None = None
        self.gaps: dict[int, float] = {}
        # Per person connected: the unread rows last counted (all people in one query, to see
        # who changed), and the bell's count (the notification centre's ``unread_count``: the
        # rows the person may still see), counted again only for who changed.
        self.unread_rows: dict[int, int] = {}
        self.unread: dict[int, int] = {}

    def _read(self, after: int, upto: int | None = None, limit: int = BATCH) -> list[NewItem]:
        rows = Event.objects.filter(id__gt=after)
        if upto is not None:
            rows = rows.filter(id__lte=upto)
        elif self.gaps:
            rows = Event.objects.filter(Q(id__gt=after) | Q(id__in=list(self.gaps)))
        return [
            NewItem(event_id, verb, object_id or 0, actor_id, space_id)
            for event_id, verb, object_id, actor_id, space_id in rows.order_by("id").values_list(
                "id", "verb", "object_id", "actor_id", "space_id"
            )[:limit]
        ]

    def _advance(self, items: list[NewItem]) -> list[NewItem]:
        """Move the watermark past what was read; remember the ids skipped (gaps)."""
        assert self.watermark is not None
        now = time.monotonic()
        for gap, seen in list(self.gaps.items()):
            if now - seen > GAP_SECONDS:
                del self.gaps[gap]
        fresh = []
        newest = self.watermark
        for item in items:
            if item.event_id in self.gaps:
                del self.gaps[item.event_id]
                fresh.append(item)
            elif item.event_id > self.watermark:
                for skipped in range(newest + 1, item.event_id):
                    if len(self.gaps) < MAX_GAPS:
                        self.gaps[skipped] = now
                newest = max(newest, item.event_id)
                fresh.append(item)
        self.watermark = newest
        return [item for item in fresh if item.verb in LIVE_VERBS]

    def tick(self, listeners: Collection[Listener]) -> Tick:
        if self.watermark is None:
            self.watermark = Event.objects.aggregate(newest=Max("id"))["newest"] or 0
            before = self.watermark
            items: list[NewItem] = []
        else:
            before = self.watermark
            items = self._advance(self._read(self.watermark))
        result = Tick(self.watermark)
        people = {listener.person_id for listener in listeners}
        watchers: dict[int, set[int]] = defaultdict(set)
        readers: dict[int, set[int]] = defaultdict(set)  # conversation → people on its page
        for listener in listeners:
            if listener.watching is not None:
                watchers[listener.watching].add(listener.person_id)
            if listener.conversation is not None:
                readers[listener.conversation].add(listener.person_id)
        posts = home_audience(items, people)
        replies = reply_audience(items, watchers)
        messages = message_audience(items, readers)
        for listener in listeners:
            count = len(posts.get(listener.person_id, ()))
            replied = written = 0
            if listener.watching is not None:
                replied = len(replies.get(listener.watching, {}).get(listener.person_id, ()))
            if listener.conversation is not None:
                written = len(messages.get(listener.conversation, {}).get(listener.person_id, ()))
            if listener.resume_after is not None and listener.resume_after < before:
                missed = self._catch_up(listener, before)
                count += missed[0]
                replied += missed[1]
                written += missed[2]
            if count:
                result.new_posts[listener.key] = count
            if replied:
                result.new_replies[listener.key] = replied
            if written:
                result.new_messages[listener.key] = written
        result.unread = self._unread(people)
        return result

    def _unread(self, people: set[int]) -> dict[int, int]:
        """The bell's count of each person connected: one grouped query says whose unread
        rows changed (or who is new), then ``unread_count`` (one query each) for them only."""
        rows = unread_counts(people)
        changed = [p for p in people if p not in self.unread or rows[p] != self.unread_rows[p]]
        if changed:
            for person in Person.objects.filter(pk__in=changed):
                self.unread[person.pk] = queries.unread_count(person)
        self.unread_rows = rows
        self.unread = {p: self.unread[p] for p in people if p in self.unread}
        return dict(self.unread)

    def _catch_up(self, listener: Listener, upto: int) -> tuple[int, int, int]:
        """New posts, replies and messages between a resuming connection's last id and now (once, at
        its first tick); events of this tick are already counted, so ``upto`` excludes them."""
        assert listener.resume_after is not None
        missed = [
            item
            for item in self._read(listener.resume_after, upto, CATCH_UP)
            if item.verb in LIVE_VERBS
        ]
        posts = home_audience(missed, [listener.person_id])
        replies: dict[int, dict[int, list[int]]] = {}
        if listener.watching is not None:
            replies = reply_audience(missed, {listener.watching: [listener.person_id]})
        messages: dict[int, dict[int, list[int]]] = {}
        if listener.conversation is not None:
            messages = message_audience(missed, {listener.conversation: [listener.person_id]})
        return (
            len(posts.get(listener.person_id, ())),
            len(replies.get(listener.watching or 0, {}).get(listener.person_id, ())),
            len(messages.get(listener.conversation or 0, {}).get(listener.person_id, ())),
        )

"""Which writes can change a reader's home stream: so that a write renews only the pages of
those who can see it (issue 14).

A cached page is keyed by the *write generation* (``streams.cache``): any write moves it, and
with two posts a second every reader's page went cold twice a second, though most of those
posts were in spaces the reader never sees. So a page is also kept under the reader's own
key with the generation it was built at and its :class:`Watch`: the spaces new items can come
from (the reader's own and followed spaces) and the spaces of the items it read. When the
generation has moved, the events in between are read (one range scan of the ``event_writes``
index, a handful of rows) and the page is kept if none of them *touches* the reader:

- only events about content (posting, replying, editing, deleting, reacting, accepting,
  voting, mentioning) are ever judged harmless, and only when they happened in a space the
  page cannot show: every other write (a membership, a follow, a mute, a profile edit, a
  moderation decision, a space's settings, a restore, anything new) renews every page, as
  before;
- a reader who follows people or topics gets items from spaces beyond their own, so for them
  every content event counts, as before;
- the reader's own writes always count (their reactions show on the page, and their own posts
  reach it from any space they may read).

Content's events carry the space of the item (a reply's is its root's). A new item from
someone else enters the page only through a watched space (or a follow: ``beyond``); a change
to an item already on the page (a reply, a reaction, an edit, a deletion), only in that item's
space, which the watch holds, like the space of the row past the page (whether a next page
exists). The reader's own old post in a space they since left is such an item.
When every write since a first page was read was a new root (``Judgement.only_new_roots``),
the page is renewed by adding those roots to it rather than built again (``streams.cache``).
The permission policy is not consulted here: this only decides whether a page built through it
may be served again; ``tests/streams/test_relevance.py`` checks, after every kind of write,
that the page served equals the page built afresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from rucher.activity.models import Event
from rucher.conversations.actions.common import PUBLISH_VERB
from rucher.conversations.models import Content

# Events about one content item, recorded with the item's space (its root's, for a reply).
# Deliberately not here: "restored" and "moderated" (an item reappears or leaves, possibly
# by someone else's hand, and a moderation decision can suspend a member), "flagged", and
# every verb about people, spaces, memberships, follows, mutes and settings.
CONTENT_VERBS = frozenset(PUBLISH_VERB.values()) | {
    "shared",
    "edited",
    "deleted",
    "reacted",
    "unreacted",
    "accepted_answer",
    "voted",
    "mentioned",
}

# Events that only add new roots (a post, a poll, a question, and the mentions they make):
# they change no row already on a page, so a kept first page may take them in without being
# built again (``streams.cache``, ``Judgement.only_new_roots``).
NEW_ROOT_VERBS = frozenset({PUBLISH_VERB[kind] for kind in Content.ROOT_KINDS} | {"mentioned"})

# Writes judged again below a page's generation on PostgreSQL (``lookback``): the ids drawn
# by transactions still open when the page was built, a few dozen at most at hundreds of
# writes a second.
PG_LOOKBACK_IDS = 100
PG_LOOKBACK_SECONDS = 5

# Past this many writes since the page was built, building it again costs less than reading
# them.
MOST_EVENTS_READ = 300  # the lookback below included

# The last column: whether the write happened at or after the time it is asked about (a
# bulk import's events carry their past times: they are never taken for new posts).
EVENTS_SQL = (
    f'SELECT verb, space_id, actor_id, at >= %s FROM "{Event._meta.db_table}"'
    " WHERE id > %s AND id <= %s AND dedupe_key IS NULL ORDER BY id LIMIT %s"
)
EVENTS_SQL_WITH_LOOKBACK = (
    f'SELECT verb, space_id, actor_id, at >= %s FROM "{Event._meta.db_table}"'
    " WHERE id > %s AND id <= %s AND dedupe_key IS NULL AND (id > %s OR at >= %s)"
    " ORDER BY id LIMIT %s"
)


@dataclass(frozen=True)
class Watch:
    """Where a page's items come from: the spaces new items can enter by, and those of the
    items it read."""

    spaces: frozenset[int]
    # Follows people or topics: items can come from any space the reader may read.
    beyond: bool
    # What the page was built from that only writes about people, spaces and settings change
    # (the home stream's scope: spaces, follows, mutes, hidden tags): given back to the next
    # build while every write since was about content (``Judgement.scope_holds``).
    scope: Any = field(default=None, compare=False)
    scope_read_at: float = field(default=0.0, compare=False)  # time.time() when it was read


@dataclass(frozen=True)
class Judgement:
    """What the writes since a page was built mean for it."""

    changed: bool  # one of them may change the page: build it again
    scope_holds: bool  # all were about content: the page's scope may be built from again
    # All were new roots (and their mentions) written at or after the time asked about: a
    # first page needs only those roots added (``streams.cache``).
    only_new_roots: bool = False


KEEP = Judgement(changed=False, scope_holds=True)
REBUILD = Judgement(changed=True, scope_holds=False)


def touches(
    watch: Watch, reader_id: int, verb: str, space_id: int | None, actor_id: int | None
) -> bool:
    """Whether one write may change a page with this watch."""
    if actor_id == reader_id or verb not in CONTENT_VERBS:
        return True
    if space_id is None:  # a profile post: any employee may see it through a follow
        return True
    return watch.beyond or space_id in watch.spaces


def any_touches(
    watch: Watch, reader_id: int, events: Iterable[tuple[str, int | None, int | None]]
) -> bool:
    return any(touches(watch, reader_id, *event) for event in events)


def lookback() -> int:
    """How far below the page's generation writes are judged again.

    On PostgreSQL an event's id is drawn when it is written, not when its transaction
    commits: a write with a lower id can become visible after the page was built at a higher
    generation, and judging only the ids above it would miss that write until the next one
    that touches the reader (the generation alone renewed the page at the next write of
    anyone). So the last ``PG_LOOKBACK_IDS`` ids below are judged again, those written less
    than ``PG_LOOKBACK_SECONDS`` before the page was built: the transactions that can have
    been open then (a write already on the page renews it once more: a rebuild, never a
    stale page; a longer transaction waits for the page's time to live). SQLite has one
    writer at a time: ids become visible in their order."""
    return PG_LOOKBACK_IDS if connection.vendor == "postgresql" else 0


def judge(
    watch: Watch,
    reader_id: int,
    built_at: int,
    now: int,
    built_time: datetime | None = None,
    new_since: datetime | None = None,
) -> Judgement:
    """Whether a write between the generations ``built_at`` and ``now`` may change the page
    (built at ``built_time``: on PostgreSQL, the writes just below ``built_at`` from a little
    before it are judged too, ``lookback``), whether they were all about content, and
    whether they were all new roots written at or after ``new_since``."""
    if now == built_at:
        return KEEP
    if now < built_at:  # an older generation than the page's: do not trust the page
        return REBUILD
    behind = lookback()
    # NULL when not asked: ``at >= NULL`` is never true.
    since = None if new_since is None else connection.ops.adapt_datetimefield_value(new_since)
    with connection.cursor() as cursor:
        if behind and built_time is not None:
            cursor.execute(
                EVENTS_SQL_WITH_LOOKBACK,
                [
                    since,
                    max(0, built_at - behind),
                    now,
                    built_at,
                    built_time - timedelta(seconds=PG_LOOKBACK_SECONDS),
                    MOST_EVENTS_READ + 1,
                ],
            )
        else:
            cursor.execute(EVENTS_SQL, [since, built_at, now, MOST_EVENTS_READ + 1])
        events = cursor.fetchall()
    if len(events) > MOST_EVENTS_READ:
        return REBUILD
    return Judgement(
        changed=any_touches(watch, reader_id, (event[:3] for event in events)),
        scope_holds=all(event[0] in CONTENT_VERBS for event in events),
        only_new_roots=new_since is not None
        and all(event[0] in NEW_ROOT_VERBS and event[3] for event in events),
    )

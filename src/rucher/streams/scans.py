"""Stream ids from index-ordered scans merged by recency: plans the planner cannot get wrong.

A stream is the union of a few *scopes*: a space, an author, a set of topics. Asked as one
query with ``OR``\\s and ``IN (subquery)``\\s (``streams.queries.home_items``, the policy's
plain expression), the database must guess whether to walk the whole content table newest
first and filter (fast for a reader of most spaces, ruinous for a reader of five), or to
gather every item of the reader's spaces and sort them (the reverse); and the guess changed
with ``ANALYZE`` statistics (issue 14: 605 ms a page without them, 1.76 s with them).

Here every scope is its own ``SELECT … WHERE <scope> AND <row conditions> ORDER BY
created_at DESC, id DESC LIMIT n+1``, whose equality on the scope and whose order match one
index exactly (``content_root_space_stream`` for a space, ``content_root_author_stream`` for
an author), so the only sensible plan is to read that index backwards and stop after ``n+1``
rows, with or without statistics. The outer query keeps the newest ``n+1`` of at most
``scopes × (n+1)`` rows. A reader of more than ``WIDE`` spaces (or people) gets one scan of
the whole root index instead, with the scope test made unindexable (``+space_id``), so it
too reads rows newest first and stops early: with that many spaces, most rows match.

The row conditions repeat the policy's content rules that a row can be checked on by itself
(published roots of a readable space, or profile posts for employees); the *which spaces*
part comes from the policy itself (``permissions.readable_spaces``, compiled once per shape).
The page's rows are then read through ``Content.objects.visible_to`` all the same
(``streams.queries``): the policy stays the one authority, and
``tests/streams/test_scans.py`` proves, for every kind of reader, filter and cursor, that
these ids are exactly the pages of the policy's plain query.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils.dateparse import parse_datetime

from rucher.conversations.models import Content, Topic
from rucher.spaces import permissions
from rucher.spaces.models import Membership, Space
from rucher.streams import prepared
from rucher.streams.models import Follow, HideRule, Mute, TargetType

# Past this many spaces (or followed people), one scan of the root index replaces the
# per-scope scans: they would read more rows than the scan skips.
WIDE = 64

CONTENT = Content._meta.db_table
TAGGED = Content.topics.through._meta.db_table
TOPIC = Topic._meta.db_table
SPACE = Space._meta.db_table
MEMBERSHIP = Membership._meta.db_table
FOLLOW = Follow._meta.db_table
MUTE = Mute._meta.db_table
HIDE = HideRule._meta.db_table
ROOT_KINDS = [k.value for k in Content.ROOT_KINDS]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


@dataclass
class Scope:
    """What a reader's home stream is made of, and what they removed from it."""

    spaces: list[int] = field(default_factory=list)  # readable: member of, or following
    people: list[int] = field(default_factory=list)  # followed, and the reader
    topics: list[int] = field(default_factory=list)  # followed
    muted_spaces: list[int] = field(default_factory=list)
    muted_people: list[int] = field(default_factory=list)
    muted_topics: list[int] = field(default_factory=list)
    hidden_tags: list[str] = field(default_factory=list)
    read_at: float = field(default_factory=time.time)  # streams.cache reuses it, not for long


_READABLE = prepared.ShapeCache(limit=8)


def readable_sql(is_guest: bool, reader_id: int) -> tuple[str, list[Any]]:
    """The policy's ``readable_spaces`` for this reader, as SQL (compiled once per kind)."""
    stand_in = prepared.StandInReader(is_guest=is_guest)
    query = _READABLE.get(
        ("readable", is_guest),
        lambda: permissions.readable_spaces(stand_in).order_by().values("id"),
        {"reader"},
    )
    return query.sql, query.params({"reader": reader_id})


def read_scope(reader: Any) -> Scope:
    """The reader's spaces (through the policy), follows, mutes and hidden tags: one query."""
    readable, readable_params = readable_sql(reader.is_guest, reader.pk)
    sql = (
        f"SELECT 's', s.id, '' FROM {SPACE} s WHERE s.id IN ({readable}) AND ("
        f" s.id IN (SELECT space_id FROM {MEMBERSHIP} WHERE person_id = %s AND status = %s)"
        f" OR s.id IN (SELECT target_id FROM {FOLLOW} WHERE follower_id = %s"
        f" AND target_type = %s))"
        f" UNION ALL SELECT 'f' || target_type, target_id, '' FROM {FOLLOW}"
        f" WHERE follower_id = %s"
        f" UNION ALL SELECT 'm' || target_type, target_id, '' FROM {MUTE} WHERE person_id = %s"
        f" UNION ALL SELECT 'h', 0, tag FROM {HIDE} WHERE person_id = %s"
    )
    me = reader.pk
    params = [
        *readable_params,
        me,
        Membership.Status.ACTIVE.value,
        me,
        TargetType.SPACE.value,
        me,
        me,
        me,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    scope = Scope(people=[me])
    followed = {
        "f" + TargetType.PERSON: scope.people,
        "f" + TargetType.TOPIC: scope.topics,
        "m" + TargetType.SPACE: scope.muted_spaces,
        "m" + TargetType.PERSON: scope.muted_people,
        "m" + TargetType.TOPIC: scope.muted_topics,
    }
    for source, value, tag in rows:
        if source == "s":
            scope.spaces.append(int(value))
        elif source == "h":
            scope.hidden_tags.append(tag)
        elif source in followed:
            followed[source].append(int(value))
    muted_spaces, muted_people = set(scope.muted_spaces), set(scope.muted_people)
    muted_topics = set(scope.muted_topics)
    scope.spaces = sorted(set(scope.spaces) - muted_spaces)
    scope.people = sorted(set(scope.people) - muted_people)
    scope.topics = sorted(set(scope.topics) - muted_topics)
    return scope


@dataclass
class Rows:
    """Conditions on one content row (alias ``c``), with their parameters."""

    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, sql: str, *params: Any) -> None:
        self.where.append(sql)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.where)


def row_conditions(
    *,
    kind: str | None = None,
    after: tuple[datetime, int] | None = None,
    since: datetime | None = None,
    topic: str | None = None,
    space_id: int | None = None,
    scope: Scope | None = None,
    preferences_of: int | None = None,
) -> Rows:
    """Published roots (of the filter's kind, topic, space), older than the cursor (or
    written at or after ``since``), minus what the reader muted or hid: from ``scope``'s
    lists, or read by subqueries for the reader ``preferences_of`` (a stream with one scan
    reads them in the same statement)."""
    rows = Rows()
    rows.add("c.status = %s", Content.Status.PUBLISHED.value)
    rows.add("c.parent_id IS NULL")
    rows.add(f"c.kind IN ({_marks(ROOT_KINDS)})", *ROOT_KINDS)
    if kind:
        rows.add("c.kind = %s", kind)
    if after is not None:
        at, anchor = after
        moment = connection.ops.adapt_datetimefield_value(at)
        rows.add("(c.created_at < %s OR (c.created_at = %s AND c.id < %s))", moment, moment, anchor)
    if since is not None:
        rows.add("c.created_at >= %s", connection.ops.adapt_datetimefield_value(since))
    if topic is not None:
        rows.add(
            f"EXISTS (SELECT 1 FROM {TAGGED} t JOIN {TOPIC} o ON o.id = t.topic_id"
            " WHERE t.content_id = c.id AND o.name = %s)",
            topic,
        )
    if space_id is not None:
        rows.add("c.space_id = %s", space_id)
    if scope is not None:
        if scope.muted_spaces:
            rows.add(
                f"(c.space_id IS NULL OR c.space_id NOT IN ({_marks(scope.muted_spaces)}))",
                *scope.muted_spaces,
            )
        if scope.muted_people:
            rows.add(f"c.author_id NOT IN ({_marks(scope.muted_people)})", *scope.muted_people)
        if scope.hidden_tags:
            rows.add(f"c.tag_prefix NOT IN ({_marks(scope.hidden_tags)})", *scope.hidden_tags)
        if scope.muted_topics:
            rows.add(
                f"NOT EXISTS (SELECT 1 FROM {TAGGED} t WHERE t.content_id = c.id"
                f" AND t.topic_id IN ({_marks(scope.muted_topics)}))",
                *scope.muted_topics,
            )
    elif preferences_of is not None:
        me = preferences_of

        def muted(kind: TargetType) -> str:
            return (
                f"SELECT target_id FROM {MUTE} WHERE person_id = %s"
                f" AND target_type = '{kind.value}'"
            )

        rows.add(f"(c.space_id IS NULL OR c.space_id NOT IN ({muted(TargetType.SPACE)}))", me)
        rows.add(f"c.author_id NOT IN ({muted(TargetType.PERSON)})", me)
        rows.add(f"c.tag_prefix NOT IN (SELECT tag FROM {HIDE} WHERE person_id = %s)", me)
        rows.add(
            f"NOT EXISTS (SELECT 1 FROM {TAGGED} t WHERE t.content_id = c.id"
            f" AND t.topic_id IN ({muted(TargetType.TOPIC)}))",
            me,
        )
    return rows


@dataclass
class Scan:
    """One index-ordered scan: a scope's condition on ``c``, its parameters, and whether
    the row must also be checked against the readable spaces (authors and topics reach
    into any space; a space scope comes from the policy already)."""

    where: str
    params: list[Any]
    readable_only: bool = True
    # The index whose order the scan reads. SQLite is told (``INDEXED BY``): with
    # ``ANALYZE`` statistics it otherwise takes ``parent_id IS NULL`` for a rare value and
    # walks the ``parent_id`` index, then sorts (seen at 50,000 items: 0.9 s a page).
    index: str | None = None


def space_scans(spaces: Sequence[int]) -> list[Scan]:
    if len(spaces) > WIDE:
        # ``+space_id``: no index on it may drive the scan; the root index's order does.
        return [
            Scan(
                f"+c.space_id IN ({_marks(spaces)})",
                list(spaces),
                readable_only=False,
                index="content_root_stream",
            )
        ]
    return [
        Scan("c.space_id = %s", [s], readable_only=False, index="content_root_space_stream")
        for s in spaces
    ]


def author_scans(people: Sequence[int]) -> list[Scan]:
    if len(people) > WIDE:
        return [
            Scan(f"+c.author_id IN ({_marks(people)})", list(people), index="content_root_stream")
        ]
    return [Scan("c.author_id = %s", [p], index="content_root_author_stream") for p in people]


def topic_scans(topics: Sequence[int]) -> list[Scan]:
    if not topics:
        return []
    return [
        Scan(
            f"c.id IN (SELECT content_id FROM {TAGGED} WHERE topic_id IN ({_marks(topics)}))",
            list(topics),
        )
    ]


def recent_scans(spaces: Sequence[int], people: Sequence[int], topics: Sequence[int]) -> list[Scan]:
    """The scans of a kept page's renewal (``queries.renew_home_ids``): the roots written
    since a moment a few seconds ago (``row_conditions(since=…)``), from any of the reader's
    scopes. The time bounds the walk: one walk of the root index from that moment reads the
    few rows written since and tests each against the scopes, where per-scope scans would
    each seek their index for nothing (and PostgreSQL would plan one subquery per space)."""
    found = []
    if spaces:
        found.append(
            Scan(
                f"+c.space_id IN ({_marks(spaces)})",
                list(spaces),
                readable_only=False,
                index="content_root_stream",
            )
        )
    beyond, params = [], []
    if people:
        beyond.append(f"+c.author_id IN ({_marks(people)})")
        params += list(people)
    if topics:
        beyond.append(
            f"c.id IN (SELECT content_id FROM {TAGGED} WHERE topic_id IN ({_marks(topics)}))"
        )
        params += list(topics)
    if beyond:
        found.append(Scan(f"({' OR '.join(beyond)})", params, index="content_root_stream"))
    return found


def topic_name_scan(name: str) -> Scan:
    return Scan(
        f"c.id IN (SELECT t.content_id FROM {TAGGED} t JOIN {TOPIC} o ON o.id = t.topic_id"
        " WHERE o.name = %s)",
        [name],
    )


def scan_sql(reader: Any, scan: Scan, rows: Rows, size: int) -> tuple[str, list[Any]]:
    """One scan's SELECT (it reads ``readable``, the CTE ``merged_sql`` defines, when
    ``scan.readable_only``)."""
    where = [scan.where, rows.sql()]
    if scan.readable_only:
        where.append(
            "(c.space_id IN (SELECT id FROM readable)"
            + (")" if reader.is_guest else " OR c.space_id IS NULL)")
        )
    hint = ""
    if scan.index is not None and connection.vendor == "sqlite":
        hint = f" INDEXED BY {scan.index}"
    sql = (
        f"SELECT c.id, c.created_at, c.space_id FROM {CONTENT} c{hint}"
        f" WHERE {' AND '.join(where)}"
        f" ORDER BY c.created_at DESC, c.id DESC LIMIT {int(size)}"
    )
    return sql, scan.params + rows.params


def merged_sql(
    reader: Any, scans: Iterable[Scan], rows: Rows, size: int
) -> tuple[str, list[Any]] | None:
    """The SQL of the newest ``size`` (id, created_at, space_id) of the scans' union, or
    None when there is nothing to scan."""
    scans = list(scans)
    if not scans:
        return None
    parts: list[str] = []
    params: list[Any] = []
    readable_needed = any(scan.readable_only for scan in scans)
    for n, scan in enumerate(scans):
        sql, scan_params = scan_sql(reader, scan, rows, size)
        parts.append(f"SELECT * FROM ({sql}) s{n}")
        params += scan_params
    body = (
        f"SELECT id, created_at, space_id FROM ({' UNION '.join(parts)}) merged"
        f" ORDER BY created_at DESC, id DESC LIMIT {int(size)}"
    )
    return with_readable(reader, body, params) if readable_needed else (body, params)


def with_readable(reader: Any, sql: str, params: list[Any]) -> tuple[str, list[Any]]:
    """``sql`` preceded by the ``readable`` CTE: the policy's readable spaces, computed once
    per statement however many scans read it."""
    readable, readable_params = readable_sql(reader.is_guest, reader.pk)
    return f"WITH readable(id) AS MATERIALIZED ({readable}) {sql}", readable_params + params


def stamp(value: Any) -> datetime:
    """A ``created_at`` as the database driver returned it (SQLite: text) as an aware time."""
    if isinstance(value, datetime):
        at = value
    else:
        parsed = parse_datetime(str(value))
        assert parsed is not None, value
        at = parsed
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def newest(
    reader: Any, scans: Iterable[Scan], rows: Rows, size: int
) -> list[tuple[int, datetime, int | None]]:
    """(id, created_at, space_id) of the newest ``size`` rows of the scans' union, newest
    first."""
    built = merged_sql(reader, scans, rows, size)
    if built is None:
        return []
    sql, params = built
    with planned_for_these_values(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(pk), stamp(at), space) for pk, at, space in cursor.fetchall()]


@contextmanager
def planned_for_these_values() -> Iterator[None]:
    """On PostgreSQL, run the statement unprepared, so that it is planned for its own values.

    Connections prepare a statement after two runs (settings.py), and after five runs of a
    prepared statement PostgreSQL may switch to a *generic* plan, made without the values.
    For the scans that plan assumes an average author (47 roots at 1,000,000 items) and reads
    all of the reader's own roots through a bitmap, then sorts them: 17-62 ms for a prolific
    author against 1.2 ms planned with the values (issue 14, docs/performance.md). Planning
    each time costs 0.5-1.4 ms; SQLite plans every statement anyway.
    """
    raw = connection.connection
    if connection.vendor != "postgresql" or raw is None:
        yield
        return
    before = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = before

"""A stream page's rows as plain values, for the API (issue 14: cold reads that are cheap).

A cold page read through the ORM cost ~6 ms of its ~8 ms in process at 1,000,000 items, and
the database ran its four statements in ~1.5 ms of that: the rest was Python building and
compiling the policy's expression, making model instances and prefetching topics. Here the
same expression (``Content.objects.visible_to``, correlated on each row's primary key, with my
reaction) is compiled once per shape (guest or not, how many ids: ``streams.prepared``) and
returns plain values; the topics come in one plain statement. The web pages keep model
instances (their templates follow relations); the API serialises these rows directly, and
``tests/streams/test_rows.py`` checks that its pages are, field by field, what the model path
gives.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from rucher.conversations.models import Content, Reaction, Topic
from rucher.people.models import display_name_of
from rucher.streams import prepared
from rucher.streams.scans import stamp

TAGGED = Content.topics.through._meta.db_table
TOPIC = Topic._meta.db_table

# An id placeholder per row of the page (up to the largest page, ``rucher.paging``).
ID_PLACEHOLDER_BASE = -7_000_100_000

COLUMNS = (
    "id",
    "kind",
    "author_id",
    "author__username",
    "author__first_name",
    "author__last_name",
    "space_id",
    "space__name",
    "space__confidential",
    "html",
    "created_at",
    "edited_at",
    "reaction_count",
    "reaction_counts",
    "comment_count",
    "shared_from_id",
    "my_reaction",
)


@dataclass
class StreamRow:
    """What a stream shows of one item (the API's ``StreamItemOut``)."""

    pk: int
    kind: str
    author_id: int
    author_name: str
    space_id: int | None
    space_name: str | None
    space_confidential: bool
    html: str
    created_at: datetime
    edited_at: datetime | None
    reaction_count: int
    reaction_counts: dict[str, int]
    comment_count: int
    shared_from_id: int | None
    my_reaction: str | None
    topics: list[str] = field(default_factory=list)

    def out(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "kind": self.kind,
            "author": {"id": self.author_id, "display_name": self.author_name},
            "space": (
                {"id": self.space_id, "name": self.space_name}
                if self.space_id is not None
                else None
            ),
            "html": self.html,
            "created_at": self.created_at,
            "edited_at": self.edited_at,
            "reaction_count": self.reaction_count,
            "reaction_counts": self.reaction_counts,
            "comment_count": self.comment_count,
            "topics": self.topics,
            "my_reaction": self.my_reaction,
            "shared_from_id": self.shared_from_id,
        }


_ROWS = prepared.ShapeCache(limit=64)


def _id_slots(count: int) -> dict[str, int]:
    return {f"id{n}": ID_PLACEHOLDER_BASE - n for n in range(count)}


def _rows_query(is_guest: bool, count: int) -> QuerySet[Any]:
    reader = prepared.StandInReader(is_guest=is_guest)
    ids = list(_id_slots(count).values())
    mine = Reaction.objects.filter(person_id=reader.pk, content_id=OuterRef("pk")).values("kind")
    allowed = Content.objects.visible_to(reader).filter(pk=OuterRef("pk")).order_by()
    return (
        Content.objects.filter(id__in=ids)
        .order_by()
        .filter(Exists(allowed))
        .annotate(my_reaction=Subquery(mine[:1]))
        .values_list(*COLUMNS)
    )


def _json(value: Any) -> dict[str, int]:
    return json.loads(value) if isinstance(value, str | bytes) else dict(value or {})


def statement(reader: Any, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """The SQL and parameters reading the rows of ``ids`` (at least one) through the policy."""
    slots = _id_slots(len(ids))
    query = _ROWS.get(
        ("stream-rows", reader.is_guest, len(ids)),
        lambda: _rows_query(reader.is_guest, len(ids)),
        {"reader", *slots},
        placeholders=slots,
    )
    values: dict[str, Any] = {"reader": reader.pk}
    values.update({slot: pk for slot, pk in zip(slots, ids, strict=True)})
    return query.sql, query.params(values)


def read(reader: Any, ids: Sequence[int]) -> list[StreamRow]:
    """The rows of ``ids`` the reader may read (through the policy), in the order of ``ids``,
    with my reaction and the topics: two statements."""
    if not ids:
        return []
    sql, params = statement(reader, ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    by_id: dict[int, StreamRow] = {}
    for (
        pk,
        kind,
        author_id,
        username,
        first_name,
        last_name,
        space_id,
        space_name,
        space_confidential,
        html,
        created_at,
        edited_at,
        reaction_count,
        reaction_counts,
        comment_count,
        shared_from_id,
        my_reaction,
    ) in found:
        by_id[int(pk)] = StreamRow(
            pk=int(pk),
            kind=kind,
            author_id=int(author_id),
            author_name=display_name_of(username, first_name, last_name),
            space_id=space_id,
            space_name=space_name,
            space_confidential=bool(space_confidential),
            html=html,
            created_at=stamp(created_at),
            edited_at=stamp(edited_at) if edited_at is not None else None,
            reaction_count=int(reaction_count),
            reaction_counts=_json(reaction_counts),
            comment_count=int(comment_count),
            shared_from_id=shared_from_id,
            my_reaction=my_reaction,
        )
    shown = [by_id[pk] for pk in ids if pk in by_id]
    _add_topics(shown)
    return shown


def _add_topics(rows: list[StreamRow]) -> None:
    """Each row's topic names, in the topics' own order (by name)."""
    if not rows:
        return
    by_id = {row.pk: row for row in rows}
    marks = ", ".join(["%s"] * len(by_id))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.content_id, o.name FROM {TAGGED} t JOIN {TOPIC} o ON o.id = t.topic_id"
            f" WHERE t.content_id IN ({marks}) ORDER BY o.name",
            list(by_id),
        )
        for content_id, name in cursor.fetchall():
            by_id[int(content_id)].topics.append(name)

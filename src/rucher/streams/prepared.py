"""Stream queries compiled once per shape, then run with each request's own values.

Building and compiling the ORM expression of a stream (the permission policy, memberships,
follows, mutes, hide rules, filters, the cursor) cost ~9 ms of Python per page, several times
what the database needed to run it. The expression depends on the request only through a few
values (the reader's id, the cursor's position, a filter's value) and on a few choices that
change its form (guest or not, cursor or not, which filters, the page size): the *shape*.

So each shape is built once with placeholder values, compiled to SQL by Django, and the
placeholders' positions among the parameters remembered; a request substitutes its own values
and runs that SQL. The ORM stays the only description of the query, and of the permission
policy: nothing is written twice, and a shape whose placeholders cannot all be found refuses
to prepare rather than run something else.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet

# Values no real request can hold: ids are positive, no content dates from 1900.
READER = -7_000_000_001
ANCHOR_ID = -7_000_000_002
SPACE = -7_000_000_003
AT = datetime(1900, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC)
TOPIC = "rucher-placeholder-topic-7f3a9c"

PLACEHOLDERS: dict[str, Any] = {
    "reader": READER,
    "anchor_id": ANCHOR_ID,
    "space": SPACE,
    "at": AT,
    "topic": TOPIC,
}


@dataclass(frozen=True)
class StandInReader:
    """What the permission policy and the stream filters read of a reader, with the
    placeholder id: enough to build the query of every reader of the same kind."""

    is_guest: bool
    pk: int = READER
    id: int = READER
    is_active: bool = True
    is_authenticated: bool = True


class NotPreparable(RuntimeError):
    """The compiled SQL does not carry every placeholder as a parameter."""


def _adapt(value: Any) -> Any:
    """The value as Django hands it to the database driver."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


@dataclass(frozen=True)
class PreparedQuery:
    sql: str
    # Per parameter: the placeholder it stands for, or None for a constant of the shape.
    slots: tuple[str | None, ...]
    constants: tuple[Any, ...]

    def params(self, values: dict[str, Any]) -> list[Any]:
        """The parameters of this shape's SQL for one request's ``values``."""
        return [
            _adapt(values[slot]) if slot is not None else constant
            for slot, constant in zip(self.slots, self.constants, strict=True)
        ]

    def rows(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params(values))
            return list(cursor.fetchall())


def prepare(
    queryset: QuerySet[Any], used: set[str], placeholders: dict[str, Any] | None = None
) -> PreparedQuery:
    """Compile a queryset built with the placeholders named in ``used`` (the usual ones, and
    ``placeholders`` of its own, e.g. one per id of a list)."""
    sql, params = queryset.query.sql_with_params()
    known = {**PLACEHOLDERS, **(placeholders or {})}
    adapted = {name: _adapt(known[name]) for name in used}
    slots: list[str | None] = []
    for param in params:
        slot = next((n for n, v in adapted.items() if type(v) is type(param) and v == param), None)
        slots.append(slot)
    if not used <= set(slots):
        raise NotPreparable(f"placeholders missing from the SQL: {sorted(used - set(slots))}")
    return PreparedQuery(sql, tuple(slots), tuple(params))


class ShapeCache:
    """Prepared queries by (database vendor, shape), built on first use; the least recently
    used goes when full, so a client cycling through rare shapes cannot evict the common ones
    all at once."""

    def __init__(self, limit: int = 1024) -> None:
        self._prepared: OrderedDict[Hashable, PreparedQuery] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit

    def get(
        self,
        shape: Hashable,
        build: Callable[[], QuerySet[Any]],
        used: set[str],
        placeholders: dict[str, Any] | None = None,
    ) -> PreparedQuery:
        key = (connection.vendor, shape)
        with self._lock:
            found = self._prepared.get(key)
            if found is not None:
                self._prepared.move_to_end(key)
                return found
        found = prepare(
            build(), used, placeholders
        )  # outside the lock: at worst two threads build it
        with self._lock:
            self._prepared[key] = found
            while len(self._prepared) > self._limit:
                self._prepared.popitem(last=False)
        return found

"""Keyset ("cursor") pagination for API lists sorted by a text column then id: never OFFSET,
so the hundredth page costs what the first does. Page sizes and the cursor format are
``rucher.paging``'s, shared with the streams."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from rucher.paging import decode_cursor, encode_cursor, page_size

M = TypeVar("M", bound=Model)


def keyset_page(
    items: QuerySet[M], fields: tuple[str, ...], cursor: str | None, limit: int | None
) -> tuple[list[M], str | None]:
    """Rows ordered by ``fields`` then id, after ``cursor``; and the cursor of the next page."""
    size = page_size(limit)
    items = items.order_by(*fields, "id")
    if cursor:
        *values, last_id = decode_cursor(cursor, len(fields) + 1)
        keys, bounds = [*fields, "id"], [*values, last_id]
        after = Q()
        # (a, b, id) > (x, y, n)  <=>  a > x  or  (a = x and b > y)  or  (a = x, b = y, id > n)
        for depth in range(len(keys)):
            equal = {keys[i]: bounds[i] for i in range(depth)}
            after |= Q(**equal, **{f"{keys[depth]}__gt": bounds[depth]})
        items = items.filter(after)
    rows = list(items[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not more or not rows:
        return rows, None
    last = rows[-1]
    return rows, encode_cursor([str(getattr(last, f) or "") for f in fields] + [last.pk])

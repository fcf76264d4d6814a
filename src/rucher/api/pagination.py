"""Keyset ("cursor") pagination for API lists sorted by a text column then id: never OFFSET,
so the hundredth page costs what the first does."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet

from rucher import text
from rucher.errors import Invalid

M = TypeVar("M", bound=Model)


def page_size(limit: int | None) -> int:
    if limit is None:
        return int(settings.RUCHER_STREAM_PAGE_SIZE)
    maximum = int(settings.RUCHER_STREAM_MAX_PAGE_SIZE)
    if not 1 <= limit <= maximum:
        raise Invalid(f"limit must be between 1 and {maximum}")
    return limit


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str, width: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        values = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid("invalid cursor") from None
    if not isinstance(values, list) or len(values) != width or not isinstance(values[-1], int):
        raise Invalid("invalid cursor")
    if not all(isinstance(v, str) and text.problem(v) is None for v in values[:-1]):
        raise Invalid("invalid cursor")
    return values


def keyset_page(
    items: QuerySet[M], fields: tuple[str, ...], cursor: str | None, limit: int | None
) -> tuple[list[M], str | None]:
    """Rows ordered by ``fields`` then id, after ``cursor``; and the cursor of the next page."""
    size = page_size(limit)
    items = items.order_by(*fields, "id")
    if cursor:
        *values, last_id = _decode(cursor, len(fields) + 1)
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
    return rows, _encode([str(getattr(last, f) or "") for f in fields] + [last.pk])

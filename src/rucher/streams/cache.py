"""Stream pages are cached until the next write.

Every action that can change what a stream shows appends an event (content, reactions,
memberships, follows, mutes, hidden tags, profile edits), so the id of the newest event that
is not a read — the *write generation* — changes exactly when a cached page may be stale. It is
read from the database (one indexed ``MAX``), so every app process agrees on it without any
invalidation message, whatever the cache backend. Reads (``viewed`` events, which carry a
``dedupe_key``) do not move it. The TTL bounds staleness for changes made outside the actions
(the Django admin).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection

from rucher.activity.models import Event
from rucher.streams.relevance import Watch, judge

PAGE_TTL_SECONDS = 300
T = TypeVar("T")


# Plain SQL: it runs on every stream read, and compiling the ORM expression cost more than
# running it. The table name comes from the model, so a rename cannot desynchronise it.
WRITE_GENERATION_SUBQUERY = (
    f'(SELECT MAX(id) FROM "{Event._meta.db_table}" WHERE dedupe_key IS NULL)'
)
WRITE_GENERATION_SQL = f"SELECT {WRITE_GENERATION_SUBQUERY}"


def write_generation() -> int:
    with connection.cursor() as cursor:
        cursor.execute(WRITE_GENERATION_SQL)
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def _digest(parameters: tuple[Any, ...]) -> str:
    return hashlib.sha1(repr(parameters).encode(), usedforsecurity=False).hexdigest()[:16]


def cached(
    reader: Any,
    name: str,
    parameters: tuple[Any, ...],
    build: Callable[[], T],
    generation: int | None = None,
) -> T:
    """``build()``'s result for this reader and parameters at the current write generation.

    ``generation`` is one read earlier in the same request (the API's token lookup reads it
    in the same statement, api/tokens.py); without it, it is read here.
    """
    if generation is None:
        generation = write_generation()
    key = f"stream:{name}:{reader.pk}:{generation}:{_digest(parameters)}"
    found = cache.get(key)
    if found is not None:
        return found
    value = build()
    cache.set(key, value, PAGE_TTL_SECONDS)
    return value


def cached_watched(
    reader: Any,
    name: str,
    parameters: tuple[Any, ...],
    build: Callable[[Any], tuple[T, Watch]],
    generation: int | None = None,
) -> T:
    """Like :func:`cached`, for a page that knows where its items come from (its
    :class:`~rucher.streams.relevance.Watch`): when the generation has moved since the page
    was built, it is served again unless a write in between touches the reader
    (``streams.relevance``). It is never kept longer than ``PAGE_TTL_SECONDS`` after it was
    built, which bounds what changes made outside the actions (the Django admin) wait.

    ``build(scope)`` gets the kept page's ``Watch.scope`` when every write since was about
    content (which changes no one's spaces, follows, mutes or hidden tags), else ``None``: a
    page renewed by a post is built again without reading its reader's scope again."""
    if generation is None:
        generation = write_generation()
    digest = _digest(parameters)
    key = f"stream:{name}:{reader.pk}:{generation}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    latest_key = f"stream:{name}:{reader.pk}:latest:{digest}"
    latest = cache.get(latest_key)
    scope = None
    if latest is not None:
        built_at, expires, watch, value = latest
        left = expires - time.time()
        if left > 1:
            built_time = datetime.fromtimestamp(expires - PAGE_TTL_SECONDS, tz=UTC)
            judgement = judge(watch, reader.pk, built_at, generation, built_time)
            if not judgement.changed:
                cache.set(key, value, left)
                cache.set(latest_key, (generation, expires, watch, value), left)
                return value
            # The scope, like a page, is never older than the time to live (changes made
            # outside the actions).
            if judgement.scope_holds and time.time() - watch.scope_read_at < PAGE_TTL_SECONDS:
                scope = watch.scope
    value, watch = build(scope)
    cache.set(key, value, PAGE_TTL_SECONDS)
    cache.set(
        latest_key, (generation, time.time() + PAGE_TTL_SECONDS, watch, value), PAGE_TTL_SECONDS
    )
    return value

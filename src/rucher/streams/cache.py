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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.db import connection

from rucher.activity.models import Event
from rucher.streams.relevance import Watch, judge

PAGE_TTL_SECONDS = 300
# How long before a kept page's rows were read a new root is looked for when the page is
# renewed (``Built.kept``): a transaction still open then writes a root with an earlier time
# than the page's newest. The same bound as the writes judged again on PostgreSQL
# (``relevance.PG_LOOKBACK_SECONDS``); a longer transaction waits for the time to live.
NEW_ROOTS_MARGIN_SECONDS = 5
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


@dataclass
class Built(Generic[T]):
    """A page as :func:`cached_watched` keeps it: what is served, where its items come from,
    and what ``renew`` needs to add new roots to it (None: it is built again instead)."""

    value: T
    watch: Watch
    kept: Any = None
    scanned_at: float = field(default_factory=time.time)  # when its rows were read
    # Seconds it may be kept at most, when sooner than the caller's ``ttl`` (e.g. until a pin
    # on it ends: an end is no write).
    ttl: int | None = None


def cached_watched(
    reader: Any,
    name: str,
    parameters: tuple[Any, ...],
    build: Callable[[Any], Built[T]],
    generation: int | None = None,
    renew: Callable[[Any, datetime], Built[T]] | None = None,
    ttl: int = PAGE_TTL_SECONDS,
) -> T:
    """Like :func:`cached`, for a page that knows where its items come from (its
    :class:`~rucher.streams.relevance.Watch`): when the generation has moved since the page
    was built, it is served again unless a write in between touches the reader
    (``streams.relevance``). It is never kept longer than ``PAGE_TTL_SECONDS`` after it was
    built, which bounds what changes made outside the actions (the Django admin) wait.

    ``build(scope)`` gets the kept page's ``Watch.scope`` when every write since was about
    content (which changes no one's spaces, follows, mutes or hidden tags), else ``None``: a
    page renewed by a post is built again without reading its reader's scope again. When
    every write since was a new root (a post, a question, a poll: no row on the page
    changed), ``renew(kept, since)`` adds the roots written since ``since`` to the kept page
    instead (a first page: ``Built.kept``); the page keeps the time to live of its build
    (``ttl``, at most ``PAGE_TTL_SECONDS``)."""
    ttl = min(ttl, PAGE_TTL_SECONDS)
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
    now = time.time()
    if latest is not None:
        # ``judged_at``: when the page was last found true at ``built_at`` (built, kept or
        # renewed): the writes still open then are those judged again on PostgreSQL.
        built_at, kept_until, previous, judged_at = latest
        left = kept_until - now
        if left > 1:
            built_time = datetime.fromtimestamp(judged_at, tz=UTC)
            since = None
            if renew is not None and previous.kept is not None:
                since = datetime.fromtimestamp(
                    previous.scanned_at - NEW_ROOTS_MARGIN_SECONDS, tz=UTC
                )
            watch = previous.watch
            judgement = judge(watch, reader.pk, built_at, generation, built_time, since)
            if not judgement.changed:
                cache.set(key, previous.value, left)
                cache.set(latest_key, (generation, kept_until, previous, now), left)
                return previous.value
            # The scope, like a page, is never older than the time to live (changes made
            # outside the actions).
            if judgement.scope_holds and now - watch.scope_read_at < ttl:
                scope = watch.scope
                if judgement.only_new_roots and renew is not None and since is not None:
                    renewed = renew(previous.kept, since)
                    if renewed.ttl is not None:
                        left = max(1, min(left, renewed.ttl))
                        kept_until = now + left
                    cache.set(key, renewed.value, left)
                    cache.set(latest_key, (generation, kept_until, renewed, now), left)
                    return renewed.value
    built = build(scope)
    if built.ttl is not None:
        ttl = max(1, min(ttl, built.ttl))
    cache.set(key, built.value, ttl)
    cache.set(latest_key, (generation, now + ttl, built, now), ttl)
    return built.value

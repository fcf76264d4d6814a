"""Bearer authentication on the hot path: a personal access token (``people.tokens``) to its
holder, in one SQL statement with the stream's write generation."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from rucher.people.actions.tokens import TOKEN_PREFIX
from rucher.people.models import AccessToken, Person, hash_token
from rucher.streams.cache import WRITE_GENERATION_SUBQUERY

# Writing last_used_at on every request would turn each read into a write; once a minute
# is precise enough to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Bearer:
    """Who holds a token, and the stream write generation read in the same statement."""

    person: Person
    write_generation: int
    scopes: frozenset[str] = frozenset()


PERSON_FIELDS = tuple(Person._meta.concrete_fields)


@functools.cache
def _lookup_sql() -> str:
    """The token, its holder and the write generation in one statement: the warm home stream
    then costs a single round trip, like the floor's ``SELECT 1``. Columns come from the
    model, so a renamed field cannot desynchronise it."""
    person, token = Person._meta, AccessToken._meta
    columns = ", ".join(f'p."{field.column}"' for field in PERSON_FIELDS)
    return (
        f"SELECT {columns}, t.id, t.scopes, "
        "CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END, "
        f"{WRITE_GENERATION_SUBQUERY} "
        f'FROM "{token.db_table}" t JOIN "{person.db_table}" p ON p.id = t.person_id '
        "WHERE t.token_hash = %s AND t.revoked_at IS NULL "
        "AND (t.expires_at IS NULL OR t.expires_at > %s) AND p.is_active"
    )


@functools.cache
def _person_converters(vendor: str) -> dict[int, tuple[list[Any], Any]]:
    """The database-to-Python converters of the person's columns (aware datetimes on
    SQLite, for instance), worked out once per backend instead of per request."""
    compiler = Person.objects.all().query.get_compiler(connection=connection)
    return compiler.get_converters([f.get_col(Person._meta.db_table) for f in PERSON_FIELDS])


def _person_from_row(values: list[Any]) -> Person:
    for index, (converters, expression) in _person_converters(connection.vendor).items():
        for convert in converters:
            values[index] = convert(values[index], expression, connection)
    return Person.from_db(connection.alias, [f.attname for f in PERSON_FIELDS], values)


def lookup(raw_token: str) -> Bearer | None:
    """The active holder of this unrevoked, unexpired token, or None. One query."""
    if not raw_token or not raw_token.startswith(TOKEN_PREFIX) or len(raw_token) > 200:
        return None
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _lookup_sql(), [adapt(now - LAST_USED_RESOLUTION), hash_token(raw_token), adapt(now)]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    count = len(PERSON_FIELDS)
    token_id, scopes, idle, generation = row[count:]
    if idle:
        AccessToken.objects.filter(pk=token_id).update(last_used_at=now)
    return Bearer(
        _person_from_row(list(row[:count])), int(generation or 0), frozenset(scopes.split())
    )


def authenticate(raw_token: str) -> Person | None:
    bearer = lookup(raw_token)
    return bearer.person if bearer else None

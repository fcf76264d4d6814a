"""Personal access tokens: made in the UI or over the API, shown once, stored as a hash.

A raw token looks like ``rch_<43 url-safe characters>``; only its SHA-256 is kept, with a short
prefix so a person can tell their tokens apart in the UI without the secret.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from rucher.api.models import AccessToken, hash_token
from rucher.errors import Invalid, NotFound
from rucher.people.models import Person
from rucher.streams.cache import WRITE_GENERATION_SUBQUERY

TOKEN_PREFIX = "rch_"
MAX_NAME_LENGTH = 100
# Writing last_used_at on every request would turn each read into a write; once a minute
# is precise enough to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# A forgotten token should stop working on its own; "never" is an explicit choice.
DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 366


def create_token(
    person: Person, name: str = "api", lifetime_days: int | None = DEFAULT_LIFETIME_DAYS
) -> tuple[AccessToken, str]:
    """A new token for ``person``, valid ``lifetime_days`` (None: until revoked); the raw
    token is returned once and never stored."""
    name = (name or "").strip() or "api"
    if len(name) > MAX_NAME_LENGTH:
        raise Invalid(f"token name is longer than {MAX_NAME_LENGTH} characters")
    if lifetime_days is not None and not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise Invalid(f"a token lives from 1 to {MAX_LIFETIME_DAYS} days, or until revoked")
    if not person.is_active:
        raise Invalid("inactive accounts cannot hold tokens")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        person=person,
        name=name,
        token_hash=hash_token(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        expires_at=None if lifetime_days is None else timezone.now() + timedelta(lifetime_days),
    )
    return token, raw


def revoke_token(person: Person, token_id: int | str) -> AccessToken:
    """Revoke one of the person's own tokens (someone else's token is simply not found)."""
    try:
        token = AccessToken.objects.get(pk=int(token_id), person_id=person.pk)
    except (AccessToken.DoesNotExist, ValueError, TypeError):
        raise NotFound("token not found") from None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def active_tokens(person: Person) -> list[AccessToken]:
    return list(
        AccessToken.objects.filter(person_id=person.pk, revoked_at__isnull=True).exclude(
            expires_at__lte=timezone.now()
        )
    )


@dataclass(frozen=True)
class Bearer:
    """Who holds a token, and the stream write generation read in the same statement."""

    person: Person
    write_generation: int


PERSON_FIELDS = tuple(Person._meta.concrete_fields)


@functools.cache
def _lookup_sql() -> str:
    """The token, its holder and the write generation in one statement: the warm home stream
    then costs a single round trip, like the floor's ``SELECT 1``. Columns come from the
    model, so a renamed field cannot desynchronise it."""
    person, token = Person._meta, AccessToken._meta
    columns = ", ".join(f'p."{field.column}"' for field in PERSON_FIELDS)
    return (
        f"SELECT {columns}, t.id, "
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
    token_id, idle, generation = row[count:]
    if idle:
        AccessToken.objects.filter(pk=token_id).update(last_used_at=now)
    return Bearer(_person_from_row(list(row[:count])), int(generation or 0))


def authenticate(raw_token: str) -> Person | None:
    bearer = lookup(raw_token)
    return bearer.person if bearer else None

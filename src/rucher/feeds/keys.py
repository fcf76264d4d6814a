"""Feed keys: how a key is made from its nonce, recognised in a URL, and looked up.

A key looks like ``rcf_<43 url-safe characters>``: the URL-safe base64 of
``HMAC-SHA256(SECRET_KEY, nonce)``. Only the nonce and the key's SHA-256 are stored
(``FeedToken``); rotating ``SECRET_KEY`` therefore retires every feed URL (the settings page
then offers a new key), as it does password-reset links.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from rucher.activity.models import Event
from rucher.feeds.models import FeedToken
from rucher.people.models import Person, hash_token
from rucher.streams.cache import WRITE_GENERATION_SUBQUERY

KEY_PREFIX = "rcf_"
KEY_SHAPE = re.compile(r"rcf_[A-Za-z0-9_-]{43}")
_SALT = "rucher.feeds.key"
# Writing last_used_at on every poll would turn each read into a write; once a minute is
# precise enough to tell a live key from a forgotten one (as for API tokens).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def key_from_nonce(nonce: str) -> str:
    digest = salted_hmac(_SALT, nonce, algorithm="sha256").digest()
    return KEY_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def well_formed(raw: str) -> bool:
    """The shape of a key: anything else is refused without a query."""
    return KEY_SHAPE.fullmatch(raw) is not None


def usable_key(token: FeedToken | None) -> str | None:
    """The key of an active row, or None when there is none or it was made under another
    SECRET_KEY (its hash no longer matches what the nonce gives)."""
    if token is None or token.revoked_at is not None:
        return None
    key = key_from_nonce(token.nonce)
    return key if constant_time_compare(hash_token(key), token.token_hash) else None


def active_key(person: Any) -> str | None:
    """The person's current feed key (one query), or None."""
    if not getattr(person, "is_authenticated", False):
        return None
    token = (
        FeedToken.objects.filter(person_id=person.pk, revoked_at__isnull=True)
        .only("nonce", "token_hash", "revoked_at")
        .first()
    )
    return usable_key(token)


@dataclass(frozen=True)
class Holder:
    """Who holds a key, and what the event log says about the last write (conditional GET)."""

    person: Person
    token_id: int
    write_generation: int
    written_at: datetime | None


def lookup(raw: str) -> Holder | None:
    """The holder of this active key, if they are an active member who has not left; with
    the write generation and its time, all in ONE statement. Anything else is None (a 404
    for the caller: a key cannot be probed)."""
    if not well_formed(raw):
        return None
    now = timezone.now()
    newest_write = Event.objects.filter(pk=RawSQL(WRITE_GENERATION_SUBQUERY, [])).values("at")
    found = (
        FeedToken.objects.filter(
            token_hash=hash_token(raw), revoked_at__isnull=True, person__is_active=True
        )
        .filter(Q(person__left_at__isnull=True) | Q(person__left_at__gt=now))
        .select_related("person")
        .annotate(
            generation=RawSQL(WRITE_GENERATION_SUBQUERY, []),
            generation_at=Subquery(newest_write[:1]),
        )
        .order_by()[:1]  # the hash is unique: no sort to pay on every poll
    )
    token = next(iter(found), None)
    # A key made under another SECRET_KEY is retired: its pages show a different one.
    if token is None or not constant_time_compare(key_from_nonce(token.nonce), raw):
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        FeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Holder(
        token.person,
        token.pk,
        int(token.generation or 0),
        token.generation_at,
    )

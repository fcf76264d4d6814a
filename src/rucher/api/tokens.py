"""Personal access tokens: made in the UI or over the API, shown once, stored as a hash.

A raw token looks like ``rch_<43 url-safe characters>``; only its SHA-256 is kept, with a short
prefix so a person can tell their tokens apart in the UI without the secret.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from rucher.api.models import AccessToken, hash_token
from rucher.errors import Invalid, NotFound
from rucher.people.models import Person

TOKEN_PREFIX = "rch_"
MAX_NAME_LENGTH = 100
# Writing last_used_at on every request would turn each read into a write; once a minute
# is precise enough to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_token(person: Person, name: str = "api") -> tuple[AccessToken, str]:
    """A new token for ``person``; the raw token is returned once and never stored."""
    name = (name or "").strip() or "api"
    if len(name) > MAX_NAME_LENGTH:
        raise Invalid(f"token name is longer than {MAX_NAME_LENGTH} characters")
    if not person.is_active:
        raise Invalid("inactive accounts cannot hold tokens")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        person=person, name=name, token_hash=hash_token(raw), prefix=raw[: len(TOKEN_PREFIX) + 6]
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
    return list(AccessToken.objects.filter(person_id=person.pk, revoked_at__isnull=True))


def authenticate(raw_token: str) -> Person | None:
    """The active person holding this unrevoked token, or None. One query on the hot path."""
    if not raw_token or not raw_token.startswith(TOKEN_PREFIX) or len(raw_token) > 200:
        return None
    # token_hash is unique: a slice, not .first(), so no ORDER BY on the hot path.
    found = list(
        AccessToken.objects.select_related("person").filter(
            token_hash=hash_token(raw_token), revoked_at__isnull=True
        )[:1]
    )
    token = found[0] if found else None
    if token is None or not token.person.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person

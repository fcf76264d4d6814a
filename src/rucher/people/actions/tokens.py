"""Personal access tokens: made in the settings page or over the API, shown once, stored as a
hash. Creating and revoking one are actions (an event each: the audit trail wants them).

A raw token looks like ``rch_<43 url-safe characters>``; only its SHA-256 is kept, with a short
prefix so a person can tell their tokens apart in the UI without the secret.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.errors import Invalid, NotFound
from rucher.people.models import TOKEN_SCOPES, AccessToken, Person, hash_token
from rucher.text import is_blank, require, strip

TOKEN_PREFIX = "rch_"
MAX_NAME_LENGTH = 100
# A forgotten token should stop working on its own; "never" is an explicit choice.
DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 366


@transaction.atomic
def create_token(
    person: Person,
    name: str = "api",
    lifetime_days: int | None = DEFAULT_LIFETIME_DAYS,
    scopes: Iterable[str] = ("read", "write"),
) -> tuple[AccessToken, str]:
    """A new token for ``person``, valid ``lifetime_days`` (None: until revoked); the raw
    token is returned once and never stored."""
    name = strip(require(name or "", _("token name")))
    name = "api" if is_blank(name) else name
    if len(name) > MAX_NAME_LENGTH:
        raise Invalid(
            _("a token name has at most %(limit)s characters") % {"limit": MAX_NAME_LENGTH}
        )
    if lifetime_days is not None and not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise Invalid(
            _("a token lives from 1 to %(days)s days, or until revoked")
            % {"days": MAX_LIFETIME_DAYS}
        )
    if not person.is_active:
        raise Invalid(_("inactive accounts cannot hold tokens"))
    chosen = [scope for scope in TOKEN_SCOPES if scope in set(scopes)]
    if not chosen or set(scopes) - set(TOKEN_SCOPES):
        raise Invalid(_("a token's scopes are read, write and admin (at least one)"))
    if "admin" in chosen and person.kind != Person.Kind.ADMIN:
        raise Invalid(_("only administrators' tokens may hold the admin scope"))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        person=person,
        name=name,
        token_hash=hash_token(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        expires_at=None if lifetime_days is None else timezone.now() + timedelta(lifetime_days),
        scopes=" ".join(chosen),
    )
    record(person, "created_token", "token", token.pk)
    return token, raw


@transaction.atomic
def revoke_token(person: Person, token_id: int | str) -> AccessToken:
    """Revoke one of the person's own tokens (someone else's token is simply not found)."""
    try:
        token = AccessToken.objects.get(pk=int(token_id), person_id=person.pk)
    except (AccessToken.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("token not found")) from None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(person, "revoked_token", "token", token.pk)
    return token

"""Run a write at most once per idempotency key.

The key is claimed by inserting its row **in the same transaction as the write**, and the
answer is stored in that row before the commit:

- killed before the commit: nothing happened, not even the claim; a retry runs the write;
- committed: the write and its answer are there together; a retry gets the answer back;
- two requests with one key at the same time: the unique constraint lets one insert; the
  other waits for it (PostgreSQL's unique index, SQLite's single writer), then finds the
  committed row and answers with it. Exactly one runs.

Rows older than ``LIFETIME`` are ignored and deleted lazily, a few at a time, by the writes
that claim keys.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.errors import Invalid
from rucher.idempotency.models import IdempotencyRecord
from rucher.people.models import Person

LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# One claim in PURGE_ONE_IN deletes a batch of expired rows.
PURGE_ONE_IN = 50
PURGE_BATCH = 1000


@dataclass(frozen=True)
class Stored:
    status: int
    content_type: str
    body: str


class KeyReused(Invalid):
    """The same key came with another request: a 422, never the first request's answer."""


def check_key(key: str) -> str:
    """1 to 255 printable ASCII characters."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(" " <= c <= "~" for c in key):
        raise Invalid(
            _("an idempotency key has 1 to %(max)s printable ASCII characters")
            % {"max": MAX_KEY_LENGTH}
        )
    return key


def fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def purge_expired(batch: int = PURGE_BATCH) -> int:
    old = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - LIFETIME)
    ids = list(old.values_list("pk", flat=True)[:batch])
    return IdempotencyRecord.objects.filter(pk__in=ids).delete()[0] if ids else 0


def claim(person: Person, key: str, print_: str) -> IdempotencyRecord | Stored:
    """Inside the write's transaction: the new record to :func:`complete`, or the stored
    answer of the request that already used this key. Raises KeyReused for another request."""
    assert transaction.get_connection().in_atomic_block, "claim() runs in the write transaction"
    if random.randrange(PURGE_ONE_IN) == 0:
        purge_expired()
    IdempotencyRecord.objects.filter(
        person_id=person.pk, key=key, created_at__lt=timezone.now() - LIFETIME
    ).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(person=person, key=key, fingerprint=print_)
    except IntegrityError:
        pass
    first = IdempotencyRecord.objects.get(person_id=person.pk, key=key)
    if first.fingerprint != print_:
        raise KeyReused(
            _(
                "this Idempotency-Key was already used for a different request; "
                "use a new key for a new request"
            )
        )
    return Stored(first.status, first.content_type, first.body)


def complete(record: IdempotencyRecord, answer: Stored) -> None:
    record.status, record.content_type, record.body = (
        answer.status,
        answer.content_type,
        answer.body,
    )
    record.save(update_fields=["status", "content_type", "body"])

"""Appending to the audit trail: one entry at a time, each chained to the one before.

``append`` runs in the caller's transaction when there is one (the entry commits or rolls back
with the act it records) and in its own otherwise. It takes the head row's lock
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's writers are one at a time already), so two
processes appending at once get consecutive positions and the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from rucher.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64  # the "previous hash" of the first entry
LABEL_LENGTH = 150


def canonical_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """The detail as it will read back from the database (JSON types only, string keys)."""
    return json.loads(json.dumps(detail or {}, default=str, ensure_ascii=False))


def _number(value: int | None) -> str:
    return "-" if value is None else str(value)


def digest_of(previous_hash: str, row: tuple[Any, ...]) -> str:
    """The hash of a row given as the values of ``HASHED_FIELDS``, in that order.

    Each text field carries its length (``5:alice``), so no content can pass for a field
    boundary; a missing number is ``-``; the detail is canonical JSON. Written out by hand
    rather than with ``json.dumps`` of the whole row: verifying a million entries is mostly
    this function."""
    (seq, at, actor_id, label, action, object_type, object_id, space_id, target_id, address,
     detail, event_id) = row  # fmt: skip
    moment = at.astimezone(UTC).isoformat(timespec="microseconds")
    details = (
        json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if detail
        else "{}"
    )
    body = (
        f"{previous_hash}\n{seq}|{moment}|{_number(actor_id)}|{len(label)}:{label}|"
        f"{len(action)}:{action}|{len(object_type)}:{object_type}|{_number(object_id)}|"
        f"{_number(space_id)}|{_number(target_id)}|{len(address)}:{address}|"
        f"{len(details)}:{details}|{_number(event_id)}"
    )
    return hashlib.sha256(body.encode()).hexdigest()


# The fields a hash covers, in the order it covers them (``previous_hash`` comes first).
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "space_id",
    "target_id",
    "address",
    "detail",
    "event_id",
)


def digest(previous_hash: str, entry: AuditEntry) -> str:
    """The entry's hash: SHA-256 of the previous hash and every field of the entry in a fixed
    order (the detail as canonical JSON, so the same row hashes the same on SQLite and on
    PostgreSQL, whatever order a JSON column gives its keys back in)."""
    return digest_of(previous_hash, tuple(getattr(entry, field) for field in HASHED_FIELDS))


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # A fresh database (the migration creates the row; a flushed test database does not).
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        head, _created = AuditHead.objects.get_or_create(
            pk=1,
            defaults={
                "last_seq": last[0] if last else 0,
                "last_hash": last[1] if last else GENESIS,
            },
        )
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def current_head() -> AuditHead:
    """The head row as it stands, created if missing (its lock is released at once: callers
    only read its checkpoint and move it with a conditional update)."""
    with transaction.atomic():
        return _locked_head()


def append(
    action: str,
    *,
    actor: Any = None,
    actor_id: int | None = None,
    actor_label: str = "",
    object_type: str = "",
    object_id: int | None = None,
    space_id: int | None = None,
    target_id: int | None = None,
    address: str | None = "",
    detail: dict[str, Any] | None = None,
    event_id: int | None = None,
    at: datetime | None = None,
) -> AuditEntry | None:
    """Append one entry; ``None`` when ``event_id`` is already in the trail (a retried task)."""
    if actor is not None:
        # By id only: a member's erasure deletes their account and the trail, which nobody
        # edits, must not keep their name (docs/privacy.md, "The audit trail").
        actor_id = actor.pk
    with transaction.atomic():
        head = _locked_head()  # taken first: a duplicate check before it could race
        if event_id is not None and AuditEntry.objects.filter(event_id=event_id).exists():
            return None
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=(at or timezone.now()).astimezone(UTC),
            actor_id=actor_id,
            actor_label=(actor_label or "")[:LABEL_LENGTH],
            action=action,
            object_type=object_type,
            object_id=object_id,
            space_id=space_id,
            target_id=target_id,
            address=(address or "")[:45],
            detail=canonical_detail(detail),
            event_id=event_id,
            previous_hash=head.last_hash,
        )
        entry.hash = digest(head.last_hash, entry)
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry

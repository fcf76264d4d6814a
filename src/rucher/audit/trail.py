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


def digest(previous_hash: str, entry: AuditEntry) -> str:
    """The entry's hash: SHA-256 of the previous hash and every field of the entry, in a
    fixed order and a canonical JSON form (so the same row always hashes the same, on SQLite
    as on PostgreSQL, whatever order a JSON column gives its keys back in)."""
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
        entry.seq,
        at,
        entry.actor_id,
        entry.actor_label,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.space_id,
        entry.target_id,
        entry.address,
        entry.detail,
        entry.event_id,
    ]
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}\n{body}".encode()).hexdigest()


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


def locked_head_outside() -> AuditHead:
    """The head row, created if missing (read without a lock: for checkpoints)."""
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
        actor_id = actor.pk
        actor_label = actor_label or actor.get_username()
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

"""Checking the chain: every entry in order, its hash recomputed, the head compared."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rucher.audit.models import AuditEntry, AuditHead
from rucher.audit.trail import GENESIS, HASHED_FIELDS, digest_of


@dataclass(frozen=True)
class Verdict:
    checked: int
    broken_at: int | None  # the seq of the first entry that does not hold, or None
    reason: str
    last_hash: str

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(progress: Callable[[int], None] | None = None, chunk: int = 5000) -> Verdict:
    """Walk the whole trail; stop at the first entry that does not hold."""
    previous = GENESIS
    expected = 1
    checked = 0
    # Tuples, not model instances: building a million models would take most of the time.
    rows = (
        AuditEntry.objects.order_by("seq")
        .values_list(*HASHED_FIELDS, "previous_hash", "hash")
        .iterator(chunk_size=chunk)
    )
    for row in rows:
        seq, stored_previous, stored_hash = row[0], row[-2], row[-1]
        if seq != expected:
            what = "missing" if seq > expected else "duplicated"
            return Verdict(checked, expected, f"entry #{expected} is {what}", previous)
        if stored_previous != previous:
            return Verdict(checked, seq, f"entry #{seq} does not follow the one before", previous)
        if digest_of(previous, row[:-2]) != stored_hash:
            return Verdict(checked, seq, f"entry #{seq} was changed", previous)
        previous = stored_hash
        expected += 1
        checked += 1
        if progress is not None and checked % chunk == 0:
            progress(chunk)
    if progress is not None:
        progress(checked % chunk)
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != previous):
        if head.last_seq > checked:
            reason = f"entries #{checked + 1} to #{head.last_seq} were removed"
        else:
            reason = "the head does not match the last entry"
        return Verdict(checked, checked + 1, reason, previous)
    return Verdict(checked, None, "", previous)

"""The audit trail: who did what, append-only and tamper-evident.

It is not the event log. The event log (``activity.Event``) is the insights' material: it is
aggregated, exported, and a member's erasure removes them from it. The audit trail is the
organisation's record of administrative acts, permission changes, moderation, exports,
sign-ins and failed sign-ins, tokens, settings and reads of confidential spaces: nobody edits
it, a member's erasure does not touch it (it refers to people by id, never by name, so an
erased member's entries name nobody: docs/privacy.md, "The audit trail"), and
each entry carries the hash of the one before it, so an edited, removed or inserted row breaks
the chain (``rucher audit verify``).
"""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    # The position in the chain, given by the head under its lock: no gap, no reuse.
    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)  # a plain id: the trail outlives accounts
    # Who acted when it is not an account (``cli:root``, ``bulk``, a sign-in attempt's unknown
    # username); accounts are referred to by ``actor_id`` only.
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=20, blank=True)
    object_id = models.BigIntegerField(null=True)
    space_id = models.BigIntegerField(null=True)
    target_id = models.BigIntegerField(null=True)
    address = models.CharField(max_length=45, blank=True)  # the client address, when known
    detail = models.JSONField(default=dict)
    # The activity event this entry mirrors (a retried task appends nothing twice).
    event_id = models.BigIntegerField(null=True, unique=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["actor_id", "at"], name="audit_actor"),
            models.Index(fields=["action", "at"], name="audit_action"),
            models.Index(fields=["space_id", "at"], name="audit_space"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action}"


class AuditHead(models.Model):
    """The one row that says where the chain ends; appending locks it, so appends are one
    at a time on every database and the chain never forks. Verifying compares it with the
    last entry, so removing the newest entries is seen too."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    # Every audited event up to this id is in the trail (``mirror.catch_up`` moves it).
    checked_event_id = models.BigIntegerField(default=0)

"""The append-only event log: the contract between the product and the insights engine."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Event(models.Model):
    """One row per action (docs/architecture.md, "The event log").

    Ids are plain integers, not foreign keys, except the actor: the log outlives the rows it
    talks about (a deleted post keeps its history) and is exported as is.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    verb = models.CharField(max_length=32)
    object_type = models.CharField(max_length=20, blank=True)
    object_id = models.BigIntegerField(null=True)
    space_id = models.BigIntegerField(null=True)
    target_id = models.BigIntegerField(null=True)
    value = models.FloatField(null=True)
    # Set on ``viewed`` events only: one per person, object and day (see record_view).
    dedupe_key = models.CharField(max_length=120, null=True, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["at"], name="event_at"),
            models.Index(fields=["verb", "at"], name="event_verb"),
            models.Index(fields=["actor", "at"], name="event_actor"),
            models.Index(fields=["space_id", "at"], name="event_space"),
            # The newest write (streams.cache.write_generation) in one index step.
            models.Index(
                fields=["id"], condition=models.Q(dedupe_key__isnull=True), name="event_writes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.verb} {self.object_id}"

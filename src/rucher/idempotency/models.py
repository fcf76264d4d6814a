"""The first answer to a write made with an idempotency key, kept 24 hours so a retry gets it
back instead of doing the write again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # "api:<Idempotency-Key>" or "web:<the form's hidden key>": the two never collide.
    key = models.CharField(max_length=300)
    # SHA-256 of what was asked (method, path, query, body): the same key for another request
    # is refused rather than answered with the first one's result.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True, default="")
    body = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="idempotency_one_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"

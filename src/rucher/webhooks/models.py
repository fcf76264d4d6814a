"""Webhook endpoints, their deliveries (one per endpoint and event) and each attempt made.

An endpoint is an organisation-level integration registered by an administrator. A delivery is
the payload of one event for one endpoint, built once when the event is handed on and sent
again as is by retries and replays; every attempt keeps its own row (status, latency, the
first bytes of the answer, the error), which is the log an administrator reads.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Endpoint(models.Model):
    url = models.CharField(_("address"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("events"), default=list)  # codes from webhooks.events
    # Kept in clear: every attempt signs with it (HMAC). Shown once, when made or rotated.
    secret = models.CharField(max_length=100)
    # After a rotation the old secret also signs for a day, so receivers can switch over.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    include_private_spaces = models.BooleanField(
        _("include private, secret and partner-shared spaces"), default=False
    )
    include_confidential = models.BooleanField(_("include confidential spaces"), default=False)
    allow_private_address = models.BooleanField(_("allow a private network address"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["active"], name="webhook_endpoint_active")]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        """What the pages show of the secret after it was shown once."""
        return self.secret[:10] + "…"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SUCCEEDED = "succeeded", _("delivered")
        FAILED = "failed", _("failed, will retry")
        GAVE_UP = "gave_up", _("gave up")

    # Sent as the Rucher-Delivery header: the same for every attempt and replay, so a
    # receiver drops what it already processed.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.BigIntegerField(null=True, blank=True)  # None: a test ping
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    attempt_count = models.PositiveIntegerField(default=0)
    # Attempts made before the current round of retries (a replay starts a new round).
    round_start = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # A subscriber retried (at least once delivery) never makes a second delivery.
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="one_delivery_per_endpoint_and_event"
            )
        ]
        indexes = [models.Index(fields=["endpoint", "-id"], name="webhook_delivery_log")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id} ({self.status})"


class Attempt(models.Model):
    """One try at sending a delivery: what the receiver answered, or why it could not."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    succeeded = models.BooleanField(default=False)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="one_row_per_attempt")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"

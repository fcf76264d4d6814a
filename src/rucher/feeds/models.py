"""A person's feed key: the secret in their RSS/Atom feed URLs (docs/feeds.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FeedToken(models.Model):
    """One active key per person, covering all of that person's feeds.

    The key is derived, never stored: ``HMAC-SHA256(SECRET_KEY, nonce)`` (``feeds.keys``).
    The database holds the nonce and the key's SHA-256 only, so a copy of the database alone
    opens no feed, while rucher can still show the person their own feed URLs (the settings
    page, the pages' ``<link rel="alternate">``) without asking them to regenerate."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_feed_key_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"feed key {self.pk} of person {self.person_id}"

"""One sentence vector per content item (docs/meaning.md)."""

from __future__ import annotations

from django.db import models


class ContentVector(models.Model):
    """The vector of a content item's text, float16 little-endian bytes (BinaryField: a BLOB
    on SQLite, bytea on PostgreSQL; pgvector is not assumed).

    A deleted, hidden or held item keeps its row with an EMPTY vector (a tombstone) and a
    fresh ``changed_at``: the in-process matrices of every web process see the removal by
    reading the rows changed since they last looked (one indexed range query)."""

    content = models.OneToOneField(
        "conversations.Content", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10)
    vector = models.BinaryField(blank=True)
    # Hash of the text embedded and the encoder's name: an unchanged item is not re-embedded
    # (``rucher embed`` resumes; a redelivered event costs no model call).
    text_hash = models.CharField(max_length=32)
    encoder = models.CharField(max_length=40)
    changed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"vector of {self.kind} {self.content_id}"

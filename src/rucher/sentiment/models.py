"""One stored sentiment score per content item (docs/insights.md, "Stored sentiment")."""

from __future__ import annotations

from django.db import models


class ContentSentiment(models.Model):
    """The sentiment of an item's text, computed once after it was written.

    ``text_hash`` and ``model_version`` say what was scored and by which model: a redelivered
    event, or a backfill over items already scored, costs no model call. An item that is no
    longer published loses its row (no text is not a neutral opinion)."""

    content = models.OneToOneField(
        "conversations.Content", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()  # in [-1, 1]
    lang = models.CharField(max_length=8)
    model_version = models.CharField(max_length=60)
    text_hash = models.CharField(max_length=32)
    scored_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"sentiment {self.score:+.2f} of {self.content_id}"

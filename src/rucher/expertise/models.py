"""The stored expert-ranking model (trained by the worker, read by every request) and the
experts already suggested for an unanswered question (suggested once)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExpertModel(models.Model):
    """One trained ranking model (``insights.expert_model.RankingModel.to_dict``); the newest
    row is the one in use. Only weights per feature: no content, no person."""

    trained_at = models.DateTimeField(db_index=True)
    model = models.JSONField()
    n_questions = models.PositiveIntegerField(default=0)
    learned = models.BooleanField(default=False)
    # Accepted answers in the organisation when it was trained: retrain after N more.
    accepted_answers = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-trained_at", "-id")

    def __str__(self) -> str:
        return f"expert model of {self.trained_at:%Y-%m-%d %H:%M} ({self.n_questions} questions)"


class ExpertSuggestion(models.Model):
    """An expert suggested to the author of an unanswered question (at most 3 a question)."""

    question = models.ForeignKey(
        "conversations.Content", on_delete=models.CASCADE, related_name="+"
    )
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("question", "expert"), name="one_suggestion_each")
        ]
        ordering = ("question", "rank")

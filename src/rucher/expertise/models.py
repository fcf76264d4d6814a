"""The stored expert-ranking model (trained by the worker, read by every request)."""

from __future__ import annotations

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


class ExpertRequest(models.Model):
    """A question that stayed unanswered: who the finder suggested (shown to its asker as
    "who could answer?") and who was told (``notifications.requests``). One row per
    question: the worker looks at each question once."""

    question_id = models.BigIntegerField(unique=True)
    suggested = models.JSONField(default=list)  # person ids, best first
    asked = models.JSONField(default=list)  # notification ids written
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"experts for question {self.question_id}"

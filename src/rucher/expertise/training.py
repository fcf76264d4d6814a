"""Training the expert model in the background, never in a request.

The worker trains it (``train_expert_model``, a django-tasks task) every
``RUCHER_EXPERTS_TRAIN_SECONDS`` (a periodic job wired by ``rucher worker``) and after
``RUCHER_EXPERTS_RETRAIN_AFTER`` new accepted answers (a subscriber of ``accepted_answer``).
It learns from the organisation's answered questions (published content of every space but
the confidential ones) and stores only the weights per feature (``ExpertModel``): no content,
no person, so a viewer's ranking carries nothing of a space they cannot read.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from rucher.activity.subscribers import subscribe
from rucher.conversations.models import Content
from rucher.expertise.finder import knowledge_dataset
from rucher.expertise.models import ExpertModel
from rucher.insights.expert_model import train
from rucher.people.models import Person
from rucher.spaces import permissions

logger = logging.getLogger("rucher.expertise")


def _accepted_answers() -> int:
    return Content.objects.filter(kind="answer", accepted=True, status="published").count()


def train_now() -> ExpertModel:
    """Train on everything answered so far and store the model (the newest row is used)."""
    spaces = permissions.analysable_spaces(None, leaving_rucher=True)
    content = Content.objects.filter(status=Content.Status.PUBLISHED).filter(
        Q(space__isnull=True) | Q(space_id__in=spaces.values("id"))
    )
    dataset, _rows = knowledge_dataset(content, Person.objects.filter(is_active=True))
    now = timezone.now()
    model = train(dataset, now)
    with transaction.atomic():
        row = ExpertModel.objects.create(
            trained_at=now,
            model=model.to_dict(),
            n_questions=model.n_questions,
            learned=model.learned,
            accepted_answers=_accepted_answers(),
        )
        # Keep a short history, for the admin to compare; older rows serve nobody.
        stale = ExpertModel.objects.values_list("pk", flat=True)[5:]
        ExpertModel.objects.filter(pk__in=list(stale)).delete()
    logger.info("expert model trained: %s", model.describe())
    return row


@task()
def train_expert_model() -> None:
    train_now()


def enqueue_training() -> None:
    train_expert_model.enqueue()


def retrain_if_due(_event: Any) -> None:
    """After an accepted answer: train the first model, then retrain once N more answers
    were accepted since the last one."""
    last = ExpertModel.objects.only("accepted_answers").first()
    if last is None:
        train_now()  # a new organisation: its first model, without waiting for the hour
    elif _accepted_answers() - last.accepted_answers >= settings.RUCHER_EXPERTS_RETRAIN_AFTER:
        train_now()


def register() -> None:
    subscribe("accepted_answer", handler=retrain_if_due, name="expertise.retrain_if_due")

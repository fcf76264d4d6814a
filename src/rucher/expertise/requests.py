"""A question left unanswered for ``RUCHER_EXPERTS_UNANSWERED_HOURS`` (24) is suggested to
the people who know most about it (the expert finder, as its asker would search) and who may
read it: up to ``SUGGESTED`` (3), told through ``notifications.requests`` (at most a few
requests per person and week). The asker sees the same people under the question ("who could
answer?"). Run by the worker (``rucher worker``: a periodic look every ``LOOK_SECONDS``);
each question is looked at once (``ExpertRequest``, unique per question)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from rucher.conversations.models import Content
from rucher.expertise.finder import MAX_QUERY_CHARS, QueryRefused, find_experts
from rucher.expertise.models import ExpertRequest
from rucher.notifications.requests import ask_experts
from rucher.people.models import Person
from rucher.spaces import permissions

logger = logging.getLogger(__name__)

SUGGESTED = 3
LOOK_SECONDS = 900
BATCH = 20  # questions looked at per run
LOOK_BACK_DAYS = 7  # older unanswered questions are left alone


def unanswered(now: Any = None) -> Any:
    """Published questions without a published answer, asked between ``LOOK_BACK_DAYS`` and
    ``RUCHER_EXPERTS_UNANSWERED_HOURS`` ago, not looked at yet; oldest first."""
    now = now or timezone.now()
    hours = float(settings.RUCHER_EXPERTS_UNANSWERED_HOURS)
    until = now - timedelta(hours=hours)
    answers = Content.objects.filter(
        root_id=OuterRef("pk"), kind=Content.Kind.ANSWER, status=Content.Status.PUBLISHED
    )
    return (
        Content.objects.filter(
            kind=Content.Kind.QUESTION,
            parent__isnull=True,
            status=Content.Status.PUBLISHED,
            created_at__lte=until,
            created_at__gte=until - timedelta(days=LOOK_BACK_DAYS),
        )
        .exclude(Exists(answers))
        .exclude(pk__in=ExpertRequest.objects.values("question_id"))
        .select_related("author", "space")
        .order_by("created_at", "pk")
    )


def suggest(question: Content, limit: int = SUGGESTED) -> list[int]:
    """Who may answer: the finder's best people as the asker would search (evidence the asker
    may see), who may read the question, the asker left out."""
    text = " ".join(question.text.split())[:MAX_QUERY_CHARS]
    try:
        found = find_experts(question.author, text, k=limit * 4)
    except QueryRefused:
        return []
    ids = [e.person.pk for e in found.experts if e.person.pk != question.author_id]
    readers = set(
        permissions.space_readers(question.space).filter(pk__in=ids).values_list("pk", flat=True)
    )
    return [pk for pk in ids if pk in readers][:limit]


def look_once(now: Any = None) -> int:
    """Suggest experts for the questions due; how many questions were looked at."""
    done = 0
    for question in unanswered(now)[:BATCH]:
        suggested = suggest(question)
        try:
            with transaction.atomic():
                row = ExpertRequest.objects.create(
                    question_id=question.pk, suggested=suggested, created_at=timezone.now()
                )
                row.asked = ask_experts(question, suggested)
                row.save(update_fields=["asked"])
        except IntegrityError:  # another worker looked at it first
            continue
        done += 1
    return done


def suggested_for(viewer: Any, question: Content) -> list[Person]:
    """Who could answer, for the question's page: only for its asker, only people they may
    see."""
    if not getattr(viewer, "is_authenticated", False) or viewer.pk != question.author_id:
        return []
    if question.kind != Content.Kind.QUESTION:
        return []
    row = ExpertRequest.objects.filter(question_id=question.pk).first()
    if row is None or not row.suggested:
        return []
    people = permissions.visible_people(viewer).in_bulk(row.suggested)
    return [people[pk] for pk in row.suggested if pk in people]


@task()
def suggest_experts() -> None:
    count = look_once()
    if count:
        logger.info("experts suggested for %d unanswered questions", count)


def enqueue_suggestions() -> None:
    suggest_experts.enqueue()

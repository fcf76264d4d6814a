"""/api/v1/experts?q=…: who knows about X, from what the caller may see (expertise/finder.py);
and, for an unanswered question's asker, who could answer it (expertise/requests.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from rucher.api.auth import caller
from rucher.api.schemas import ErrorOut, Text
from rucher.conversations.queries import get_visible_content
from rucher.errors import Forbidden, Invalid
from rucher.expertise.actions import mention_suggested, not_yet_mentioned
from rucher.expertise.finder import (
    MAX_QUERY_CHARS,
    MAX_RESULTS,
    Evidence,
    QueryRefused,
    find_experts,
)
from rucher.expertise.requests import suggested_for
from rucher.people.models import Person

router = Router(tags=["people"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ExpertsQuery(Schema):
    q: Text | None = None
    limit: int = 10


class EvidenceOut(Schema):
    content_id: int
    kind: str
    title: str
    url: str
    why: str


class ExpertOut(Schema):
    id: int
    username: str
    display_name: str
    job_title: str
    department: str | None
    score: float
    score_parts: dict[str, float]
    evidence: list[EvidenceOut]


class ExpertsOut(Schema):
    items: list[ExpertOut]
    message: str | None = None
    model: str


def evidence_url(item: Evidence) -> str:
    url = reverse("content", args=[item.root_id])
    return url if item.root_id == item.content_id else f"{url}#c{item.content_id}"


def why(item: Evidence) -> str:
    """In words: what the contribution is and what others made of it."""
    label = "accepted answer" if item.accepted else item.kind
    if item.reactions:
        label += f", {item.reactions} reaction{'s' if item.reactions > 1 else ''}"
    return label


@router.get(
    "/experts",
    response={200: ExpertsOut, 422: ErrorOut},
    summary="Who knows about X: people ranked by the evidence of what they wrote",
)
def experts(request: HttpRequest, filters: Query[ExpertsQuery]) -> dict[str, Any]:
    viewer = caller(request)
    if not 1 <= filters.limit <= MAX_RESULTS:
        raise Invalid(_("limit: from 1 to %(n)d") % {"n": MAX_RESULTS})
    try:
        answer = find_experts(viewer, filters.q, k=filters.limit)
    except QueryRefused as refused:
        if (filters.q or "").strip():
            reason = _("q: the question is too long (at most %(n)d characters)")
            raise Invalid(reason % {"n": MAX_QUERY_CHARS}) from refused
        raise Invalid(_("q: write what you are looking for")) from refused
    items = [
        {
            "id": expert.person.pk,
            "username": expert.person.username,
            "display_name": expert.person.display_name,
            "job_title": expert.person.job_title,
            "department": expert.person.department.name if expert.person.department else None,
            "score": expert.score,
            "score_parts": expert.components,
            "evidence": [
                {
                    "content_id": item.content_id,
                    "kind": item.kind,
                    "title": item.title,
                    "url": evidence_url(item),
                    "why": why(item),
                }
                for item in expert.evidence
            ],
        }
        for expert in answer.experts
    ]
    return {
        "items": items,
        "message": None if items else _("Nobody you can see has written about this yet."),
        "model": answer.model.describe(),
    }


class SuggestedOut(Schema):
    id: int
    username: str
    display_name: str
    job_title: str
    mentioned: bool  # the question mentions them already


class SuggestedPageOut(Schema):
    items: list[SuggestedOut]


def _suggested(person: Person, mentioned: bool) -> dict[str, Any]:
    return {
        "id": person.pk,
        "username": person.username,
        "display_name": person.display_name,
        "job_title": person.job_title,
        "mentioned": mentioned,
    }


@router.get(
    "/questions/{content_id}/suggested-experts",
    response={200: SuggestedPageOut, **ERRORS},
    summary="Who could answer my unanswered question (for the person who asked it)",
)
def suggested_experts(request: HttpRequest, content_id: int) -> dict[str, Any]:
    """The people suggested once the question waited (``RUCHER_EXPERTS_UNANSWERED_HOURS``),
    those the caller may see; empty before. Only the person who asked sees them."""
    asker = caller(request)
    question = get_visible_content(asker, content_id)
    if question.author_id != asker.pk:
        raise Forbidden(_("only the person who asked sees the people suggested"))
    who = suggested_for(asker, question)
    left = {p.pk for p in not_yet_mentioned(question, who)}
    return {"items": [_suggested(p, p.pk not in left) for p in who]}


@router.post(
    "/questions/{content_id}/suggested-experts/mention",
    response={200: SuggestedPageOut, **ERRORS},
    summary="Mention the people suggested in my question (adds “cc @…” to it)",
)
def mention_suggested_experts(request: HttpRequest, content_id: int) -> dict[str, Any]:
    """Those mentioned now; a 409 when nobody is suggested yet or all are mentioned."""
    asker = caller(request)
    question = get_visible_content(asker, content_id)
    return {"items": [_suggested(p, True) for p in mention_suggested(asker, question)]}

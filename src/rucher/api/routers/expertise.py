"""/api/v1/experts?q=…: who knows about X, from what the caller may see (expertise/finder.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from rucher.api.auth import caller
from rucher.api.schemas import ErrorOut, Text
from rucher.errors import Invalid
from rucher.expertise.finder import (
    MAX_QUERY_CHARS,
    MAX_RESULTS,
    Evidence,
    QueryRefused,
    find_experts,
)

router = Router(tags=["people"])


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

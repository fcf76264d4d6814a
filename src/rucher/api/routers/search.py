"""/api/v1/search: everything the caller may find, ranked (rucher.search.queries)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from rucher.api.auth import caller
from rucher.api.schemas import ErrorOut, Text
from rucher.errors import Invalid
from rucher.search import queries

router = Router(tags=["search"])


class SearchFilters(Schema):
    q: Text = Field("", description="what to look for (French or English; up to 500 characters)")
    kind: Text | None = Field(
        None,
        description="post, question, comment, answer, poll, person, space, topic, "
        "attachment; several separated by commas",
    )
    space: Text | None = Field(None, description="a space's id or address")
    author: Text | None = Field(None, description="an author's id or username")
    topic: Text | None = Field(None, description="a topic name (with or without #)")
    since: Text | None = Field(None, description="created on or after this day (YYYY-MM-DD)")
    until: Text | None = Field(None, description="created on or before this day (YYYY-MM-DD)")
    cursor: Text | None = None
    limit: int | None = None


class SearchItemOut(Schema):
    kind: str
    id: int
    title: str = Field(..., description="HTML: the text escaped, matched words in <mark>")
    snippet: str = Field(..., description="HTML: the text escaped, matched words in <mark>")
    url: str
    score: dict[str, Any] = Field(
        ..., description='the score\'s parts: {"words": {"rank", "score"}, "fused"}'
    )


class SearchPageOut(Schema):
    items: list[SearchItemOut]
    next: str | None


@router.get(
    "/search",
    response={200: SearchPageOut, 422: ErrorOut},
    summary="Search what I may see: content, people, spaces, topics, attachment names",
)
def search(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    person = caller(request)
    if not filters.q.strip():
        raise Invalid(_("type something to search for"))
    found = queries.search(
        person,
        filters.q,
        queries.parse_filters(
            person,
            kind=filters.kind,
            space=filters.space,
            author=filters.author,
            topic=filters.topic,
            since=filters.since,
            until=filters.until,
        ),
        filters.cursor,
        filters.limit,
        channel="api",
        typing=False,
    )
    return {
        "items": [
            {
                "kind": item.kind,
                "id": item.object_id,
                "title": str(item.title),
                "snippet": str(item.snippet),
                "url": request.build_absolute_uri(item.url),
                "score": item.score,
            }
            for item in found.items
        ],
        "next": found.next,
    }

"""/api/v1/streams/… (home, topic, person, my questions) and the reader's controls: follows,
mutes and hidden [tag]s. Every page comes from rucher.streams.queries (permission-checked,
cursor-paginated, a constant number of queries whatever the page size)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.responses import NinjaJSONEncoder

from rucher.api.auth import caller
from rucher.api.schemas import ErrorOut, StreamPageOut, TagIn, TagOut, TargetIn, TargetOut, Text
from rucher.conversations.models import Content
from rucher.paging import page_size
from rucher.spaces import permissions
from rucher.spaces.confidential import record_reads_by_id
from rucher.streams import actions
from rucher.streams.cache import Built, cached_watched
from rucher.streams.queries import (
    PageIds,
    RowPage,
    StreamFilters,
    home_ids,
    my_question_ids,
    person_ids,
    renew_home_ids,
    topic_ids,
    with_rows,
    with_rows_again,
)
from rucher.streams.scans import Scope

router = Router(tags=["streams"])

STREAM_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# A served home page: its JSON body, and its confidential items (each served is a read).
Served = tuple[bytes, list[tuple[int, str, int]]]


class StreamQuery(Schema):
    cursor: Text | None = None
    limit: int | None = None
    kind: Literal["post", "question", "poll"] | None = None
    topic: Text | None = None
    space_id: int | None = Field(None, ge=1, le=2**63 - 1)

    def filters(self) -> StreamFilters:
        return StreamFilters(kind=self.kind, topic=self.topic, space_id=self.space_id)


def item_out(item: Content, my_reactions: dict[int, str]) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind": item.kind,
        "author": {"id": item.author_id, "display_name": item.author.display_name},
        "space": {"id": item.space_id, "name": item.space.name} if item.space else None,
        "html": item.html,
        "created_at": item.created_at,
        "edited_at": item.edited_at,
        "reaction_count": item.reaction_count,
        "reaction_counts": item.reaction_counts,
        "comment_count": item.comment_count,
        "topics": [t.name for t in item.topics.all()],
        "my_reaction": my_reactions.get(item.pk),
        "shared_from_id": item.shared_from_id,
    }


def rows_out(page: RowPage) -> dict[str, Any]:
    return {"items": [row.out() for row in page.items], "next_cursor": page.next_cursor}


def confidential_reads(page: RowPage) -> list[tuple[int, str, int]]:
    """(space, kind, id) of the page's items in confidential spaces: each is a read."""
    return [
        (row.space_id, row.kind, row.pk)
        for row in page.items
        if row.space_id is not None and row.space_confidential
    ]


def answer(person: Any, page: RowPage) -> dict[str, Any]:
    record_reads_by_id(person, confidential_reads(page), channel="api")
    return rows_out(page)


@router.get(
    "/streams/home",
    response={200: StreamPageOut, **STREAM_ERRORS},
    summary="My spaces, and the people and topics I follow",
)
def home_stream(request: HttpRequest, params: Query[StreamQuery]) -> HttpResponse:
    """The hottest read of the product: the serialised page is cached until a write that may
    change it (streams/cache.py, streams/relevance.py), so a repeated read costs one
    statement: the token check, which reads the write generation alongside (api/tokens.py).
    A cold page is built from plain values (streams/rows.py) and serialised as is: the rows
    have the schema's fields and types (tests/streams/test_rows.py)."""
    person = caller(request)
    size = page_size(params.limit)
    filters = params.filters()

    def serialised(found: PageIds, page: RowPage, first: bool) -> Built[Served]:
        body = json.dumps(rows_out(page), cls=NinjaJSONEncoder).encode()
        return Built((body, confidential_reads(page)), page.watch, (found, page) if first else None)

    def build(scope: Scope | None) -> Built[Served]:
        found = home_ids(person, params.cursor, size, filters, scope)
        return serialised(found, with_rows(person, found), params.cursor is None)

    def renew(kept: tuple[PageIds, RowPage], since: datetime) -> Built[Served]:
        found = renew_home_ids(person, kept[0], since, size, filters)
        return serialised(found, with_rows_again(person, kept[1], found), True)

    body, confidential = cached_watched(
        person,
        "api-home",
        (params.cursor, size, filters),
        build,
        generation=getattr(request, "write_generation", None),
        renew=renew,
    )
    record_reads_by_id(person, confidential, channel="api")
    return HttpResponse(body, content_type="application/json")


@router.get(
    "/streams/topics/{topic}",
    response={200: StreamPageOut, **STREAM_ERRORS},
    summary="Everything I may read under a #topic",
)
def topic(
    request: HttpRequest, topic: Text, cursor: Text | None = None, limit: int | None = None
) -> dict[str, Any]:
    person = caller(request)
    return answer(person, with_rows(person, topic_ids(person, topic, cursor, limit)))


@router.get(
    "/streams/people/{person_id}",
    response={200: StreamPageOut, **STREAM_ERRORS},
    summary="What a person posted, among what I may read",
)
def person(
    request: HttpRequest, person_id: int, cursor: Text | None = None, limit: int | None = None
) -> dict[str, Any]:
    reader = caller(request)
    author = permissions.get_visible_person(reader, person_id)
    return answer(reader, with_rows(reader, person_ids(reader, author.pk, cursor, limit)))


@router.get(
    "/streams/my-questions",
    response={200: StreamPageOut, **STREAM_ERRORS},
    summary="The questions I asked",
)
def questions(
    request: HttpRequest, cursor: Text | None = None, limit: int | None = None
) -> dict[str, Any]:
    reader = caller(request)
    return answer(reader, with_rows(reader, my_question_ids(reader, cursor, limit)))


TARGET_ERRORS = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post(
    "/follows",
    response={201: TargetOut, **TARGET_ERRORS},
    summary="Follow a person, a space or a topic",
)
def follow(request: HttpRequest, payload: TargetIn) -> Status[Any]:
    row = actions.follow(caller(request), payload.target_type, payload.target)
    return Status(201, {"target_type": row.target_type, "target_id": row.target_id})


@router.delete(
    "/follows/{target_type}/{target}",
    response={204: None, **TARGET_ERRORS},
    summary="Stop following",
)
def unfollow(
    request: HttpRequest, target_type: Literal["person", "space", "topic"], target: Text
) -> Status[Any]:
    actions.unfollow(caller(request), target_type, target)
    return Status(204, None)


@router.post(
    "/mutes",
    response={201: TargetOut, **TARGET_ERRORS},
    summary="Mute a person, a space or a topic in my streams",
)
def mute(request: HttpRequest, payload: TargetIn) -> Status[Any]:
    row = actions.mute(caller(request), payload.target_type, payload.target)
    return Status(201, {"target_type": row.target_type, "target_id": row.target_id})


@router.delete(
    "/mutes/{target_type}/{target}", response={204: None, **TARGET_ERRORS}, summary="Unmute"
)
def unmute(
    request: HttpRequest, target_type: Literal["person", "space", "topic"], target: Text
) -> Status[Any]:
    actions.unmute(caller(request), target_type, target)
    return Status(204, None)


@router.post(
    "/hidden-tags",
    response={201: TagOut, **TARGET_ERRORS},
    summary="Hide posts starting with a [tag] from my streams",
)
def hide_tag(request: HttpRequest, payload: TagIn) -> Status[Any]:
    rule = actions.hide_tag(caller(request), payload.tag)
    return Status(201, {"tag": rule.tag})


@router.delete(
    "/hidden-tags/{tag}", response={204: None, **TARGET_ERRORS}, summary="Show a hidden [tag] again"
)
def show_tag(request: HttpRequest, tag: Text) -> Status[Any]:
    actions.show_tag(caller(request), tag)
    return Status(204, None)

"""/api/v1/streams/essentiel (Essentiel, the short stream chosen for the caller, each item with
why it is there; also spelt /streams/essential), /api/v1/me/reading (which stream opens first,
how long my Essentiel is) and /api/v1/posts/{id}/related (conversations close in meaning). The
reads go through the permission policy (streams/essential.py, meaning/neighbours.py)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Router, Schema, Status
from ninja.responses import NinjaJSONEncoder

from rucher.api.auth import caller
from rucher.api.routers.streams import item_out
from rucher.api.schemas import ErrorOut, Id, ObjectBody, StreamItemOut, Text
from rucher.conversations.models import Content
from rucher.conversations.queries import get_visible_content
from rucher.meaning.neighbours import related_items
from rucher.spaces.confidential import confidential_of, record_reads_by_id
from rucher.streams import actions as stream_actions
from rucher.streams import reading
from rucher.streams.essential import Essential, presented_essential, why

router = Router(tags=["streams"])

ERRORS = {404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class EssentialItemOut(StreamItemOut):
    why: list[str]
    score: float


class EssentialOut(Schema):
    items: list[EssentialItemOut]
    days: int


class RelatedOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    space: str
    similarity: float


class RelatedPageOut(Schema):
    items: list[RelatedOut]


class ReadingOut(Schema):
    home_stream: str
    essential_items: int
    essential_items_chosen: bool


class ReadingIn(ObjectBody):
    home_stream: Text | None = None
    # A number 1–50, or "default" for the organisation's number.
    essential_items: Id | Text | None = None


def reading_out(person: Any) -> dict[str, Any]:
    return {
        "home_stream": person.home_stream,
        "essential_items": reading.essential_items(person),
        "essential_items_chosen": person.essential_items is not None,
    }


@router.get("/me/reading", response=ReadingOut, summary="How I read: my first stream, my Essentiel")
def my_reading(request: HttpRequest) -> dict[str, Any]:
    return reading_out(caller(request))


@router.patch(
    "/me/reading",
    response={200: ReadingOut, 422: ErrorOut},
    summary="Choose my first stream (latest or essential) and my Essentiel's length (1–50)",
)
def choose_my_reading(request: HttpRequest, payload: ReadingIn) -> dict[str, Any]:
    person = reading.choose_reading(
        caller(request), home=payload.home_stream, essential_items=payload.essential_items
    )
    return reading_out(person)


@router.get(
    "/streams/essentiel",
    response={200: EssentialOut, **ERRORS},
    summary="Essentiel: a short stream chosen for me, each item with why it is there",
)
def essentiel_stream(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    """The best recent conversations for the caller (at most ``limit``, 1–50, default the
    caller's own choice, else the organisation's ``RUCHER_ESSENTIAL_ITEMS``), best first;
    ``why`` says in words why each is there, ``score`` is its rank's score (higher first)."""
    return essential_stream(request, limit)


@router.get(
    "/streams/essential",
    response={200: EssentialOut, **ERRORS},
    summary="Essentiel (the same as /streams/essentiel)",
)
def essential_stream(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    """The same as ``/streams/essentiel``. The serialised body is kept with the page, in the
    caller's language (``why`` is in words), as the home stream's is: a repeated read costs
    the token check and a copy of bytes; every item shown from a confidential space is a
    read, each time."""
    person = caller(request)
    body, confidential = presented_essential(
        person,
        limit,
        essential_body,
        f"api:{get_language()}",
        generation=getattr(request, "write_generation", None),
    )
    record_reads_by_id(person, confidential, channel="api")
    return HttpResponse(body, content_type="application/json")


def essential_out(page: Essential) -> dict[str, Any]:
    return {
        "items": [
            {**item_out(item.content, page.my_reactions), "why": why(item), "score": item.score}
            for item in page.items
        ],
        "days": page.days,
    }


def essential_body(page: Essential) -> tuple[bytes, list[tuple[int, str, int]]]:
    """The page's JSON body (the schema's fields and types, as ninja would write them:
    ``tests/streams/test_essential.py``) and its confidential items (space, kind, id)."""
    body = json.dumps(essential_out(page), cls=NinjaJSONEncoder).encode()
    return body, confidential_of(item.content for item in page.items)


@router.get(
    "/posts/{content_id}/related",
    response={200: RelatedPageOut, **ERRORS},
    summary="Up to 5 conversations close in meaning that I may read",
)
def related(request: HttpRequest, content_id: int) -> dict[str, Any]:
    person = caller(request)
    root = get_visible_content(person, content_id)
    if root.root_id is not None:
        root = get_visible_content(person, root.root_id)
    found = related_items(person, root)
    confidential = (
        list(
            Content.objects.filter(pk__in=[f.id for f in found], space__confidential=True)
            .order_by()
            .values_list("space_id", "kind", "pk")
        )
        if found
        else []
    )
    record_reads_by_id(person, confidential, channel="api")
    return {
        "items": [
            {
                "id": f.id,
                "kind": f.kind,
                "title": f.title,
                "url": f.url,
                "space": f.space_name,
                "similarity": round(f.similarity, 4),
            }
            for f in found
        ]
    }


class PinIn(ObjectBody):
    days: Id = stream_actions.PIN_DAYS


class PinOut(Schema):
    content_id: int
    space_id: int
    until: datetime


@router.put(
    "/posts/{content_id}/essential-pin",
    response={200: PinOut, **WRITE_ERRORS},
    summary="Pin a conversation at the top of its space's members' Essentiel (moderators)",
)
def pin_in_essential(request: HttpRequest, content_id: int, body: PinIn) -> dict[str, Any]:
    """For ``days`` (1–30, default 7); again: a new end. The space's managers and
    community managers only (403); a reply, a profile post or an unpublished item: 422/409."""
    person = caller(request)
    pin = stream_actions.pin_to_essential(
        person, get_visible_content(person, content_id), body.days
    )
    return {"content_id": pin.content_id, "space_id": pin.space_id, "until": pin.until}


@router.delete(
    "/posts/{content_id}/essential-pin",
    response={204: None, **WRITE_ERRORS},
    summary="Take a conversation off its space's Essentiel",
)
def unpin_from_essential(request: HttpRequest, content_id: int) -> Status[Any]:
    person = caller(request)
    stream_actions.unpin_from_essential(person, get_visible_content(person, content_id))
    return Status(204, None)

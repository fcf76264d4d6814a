"""/api/v1/spaces: list, create, detail, join, leave, members and the space's stream.

A space the caller may not know of answers 404 (never 403). A private space whose card the
caller may see but whose content they may not read answers 403 on its stream and members.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from rucher.activity.actions import record_view
from rucher.api.auth import caller
from rucher.api.pagination import keyset_page
from rucher.api.routers.people import _with_profile, people_out
from rucher.api.routers.streams import StreamQuery, answer
from rucher.api.schemas import (
    ErrorOut,
    PeoplePageOut,
    SpaceIn,
    SpaceOut,
    SpacesPageOut,
    StreamPageOut,
    Text,
)
from rucher.errors import Forbidden
from rucher.people.models import Person
from rucher.spaces import actions, permissions
from rucher.spaces.models import Membership, Space
from rucher.streams.queries import space_ids, with_rows

router = Router(tags=["spaces"])


class SpaceFilters(Schema):
    query: Text | None = None
    mine: bool = False
    kind: Literal["internal", "partner"] | None = None
    visibility: Literal["open", "private", "secret"] | None = None
    cursor: Text | None = None
    limit: int | None = None


def _with_my_membership(spaces: QuerySet[Space], person: Any) -> QuerySet[Space]:
    mine = Membership.objects.filter(space_id=OuterRef("pk"), person_id=person.pk)
    return spaces.annotate(
        my_role=Subquery(mine.values("role")[:1]), my_status=Subquery(mine.values("status")[:1])
    )


def space_out(space: Space) -> dict[str, Any]:
    role = getattr(space, "my_role", None)
    return {
        "id": space.pk,
        "name": space.name,
        "slug": space.slug,
        "description": space.description,
        "kind": space.kind,
        "visibility": space.visibility,
        "confidential": space.confidential,
        "parent_id": space.parent_id,
        "member_count": space.member_count,
        "my_membership": {"role": role, "status": getattr(space, "my_status", None)}
        if role
        else None,
    }


def _visible_with_membership(person: Any, space_id: int) -> Space:
    space = permissions.get_visible_space(person, space_id)
    return _with_my_membership(Space.objects.filter(pk=space.pk), person).get()


def _readable(person: Any, space_id: int) -> Space:
    space = permissions.get_visible_space(person, space_id)
    if not permissions.can_read_space(person, space):
        raise Forbidden(_("join this space to read its conversations"))
    return space


@router.get(
    "",
    response={200: SpacesPageOut, 422: ErrorOut},
    summary="The spaces I may know of (secret ones only when I belong to them)",
)
def list_spaces(request: HttpRequest, filters: Query[SpaceFilters]) -> dict[str, Any]:
    person = caller(request)
    spaces = permissions.visible_spaces(person)
    if filters.mine:
        spaces = spaces.filter(
            memberships__person_id=person.pk, memberships__status=Membership.Status.ACTIVE
        )
    if filters.query:
        text = filters.query.strip()[:100]
        spaces = spaces.filter(Q(name__icontains=text) | Q(description__icontains=text))
    if filters.kind:
        spaces = spaces.filter(kind=filters.kind)
    if filters.visibility:
        spaces = spaces.filter(visibility=filters.visibility)
    rows, next_cursor = keyset_page(
        _with_my_membership(spaces, person), ("name",), filters.cursor, filters.limit
    )
    return {"items": [space_out(s) for s in rows], "next_cursor": next_cursor}


@router.post(
    "",
    response={201: SpaceOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Create a space (I become its owner)",
)
def create_space(request: HttpRequest, payload: SpaceIn) -> Status[Any]:
    person = caller(request)
    space = actions.create_space(
        person,
        payload.name,
        description=payload.description,
        visibility=payload.visibility,
        kind=payload.kind,
        confidential=payload.confidential,
        parent_id=payload.parent_id,
    )
    return Status(201, space_out(_visible_with_membership(person, space.pk)))


@router.get("/{space_id}", response={200: SpaceOut, 404: ErrorOut}, summary="A space")
def space_detail(request: HttpRequest, space_id: int) -> dict[str, Any]:
    return space_out(_visible_with_membership(caller(request), space_id))


@router.post(
    "/{space_id}/join",
    response={200: SpaceOut, 202: SpaceOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Join an open space, ask to join a private one, or accept an invitation",
)
def join(request: HttpRequest, space_id: int) -> Status[Any]:
    person = caller(request)
    membership = actions.join_space(person, permissions.get_visible_space(person, space_id))
    status = 200 if membership.status == Membership.Status.ACTIVE else 202
    return Status(status, space_out(_visible_with_membership(person, space_id)))


@router.post(
    "/{space_id}/leave",
    response={204: None, 404: ErrorOut, 409: ErrorOut},
    summary="Leave a space (or withdraw a request to join)",
)
def leave(request: HttpRequest, space_id: int) -> Status[Any]:
    person = caller(request)
    actions.leave_space(person, permissions.get_visible_space(person, space_id))
    return Status(204, None)


@router.get(
    "/{space_id}/members",
    response={200: PeoplePageOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The active members of a space I may read",
)
def members(
    request: HttpRequest, space_id: int, cursor: Text | None = None, limit: int | None = None
) -> dict[str, Any]:
    person = caller(request)
    space = _readable(person, space_id)
    people = permissions.visible_people(person).filter(
        memberships__space_id=space.pk, memberships__status=Membership.Status.ACTIVE
    )
    rows, next_cursor = keyset_page(
        _with_profile(people), ("last_name", "first_name"), cursor, limit
    )
    return {"items": people_out(rows, person), "next_cursor": next_cursor}


@router.get(
    "/{space_id}/stream",
    response={200: StreamPageOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A space's conversations, newest first (cursor pagination)",
)
def stream(request: HttpRequest, space_id: int, params: Query[StreamQuery]) -> dict[str, Any]:
    person: Person = caller(request)
    space = _readable(person, space_id)
    found = space_ids(person, space.pk, params.cursor, params.limit, params.filters())
    page = answer(person, with_rows(person, found))
    record_view(person, "space", space.pk, space.pk)
    return page

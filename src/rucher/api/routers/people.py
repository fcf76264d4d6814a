"""/api/v1/me and the directory (/api/v1/people), read through spaces.permissions: a partner
guest finds only the members of their own partner spaces."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from rucher.api.auth import caller
from rucher.api.pagination import keyset_page
from rucher.api.schemas import ErrorOut, MeOut, PeoplePageOut, PersonOut, Text
from rucher.directory import actions as directory_actions
from rucher.people.models import Person
from rucher.spaces import permissions

router = Router(tags=["people"])

MAX_QUERY = 100


class DirectoryFilters(Schema):
    query: Text | None = None
    department: Text | None = None
    site: Text | None = None
    skill: Text | None = None
    cursor: Text | None = None
    limit: int | None = None


def _with_profile(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.select_related("organisation", "department", "site", "manager").prefetch_related(
        "skills", "expertise"
    )


def person_out(person: Person, viewer: Any) -> dict[str, Any]:
    manager = person.manager
    # The manager link is shown only when the viewer may see the manager too.
    show_manager = manager is not None and (not viewer.is_guest or manager.pk == viewer.pk)
    return {
        "id": person.pk,
        "username": person.username,
        "display_name": person.display_name,
        "kind": person.kind,
        "organisation": person.organisation.name if person.organisation else None,
        "department": person.department.name if person.department else None,
        "site": person.site.name if person.site else None,
        "job_title": person.job_title,
        "manager": {"id": manager.pk, "display_name": manager.display_name}
        if show_manager and manager is not None
        else None,
        "bio": person.bio,
        "languages": [lang for lang in person.languages.split(",") if lang.strip()],
        "skills": [t.name for t in person.skills.all()],
        "expertise": [t.name for t in person.expertise.all()],
    }


@router.get("/me", response=MeOut, summary="Who I am")
def me(request: HttpRequest) -> dict[str, Any]:
    person = caller(request)
    full = _with_profile(Person.objects.filter(pk=person.pk)).get()
    return {
        **person_out(full, person),
        "is_guest": full.is_guest,
        "is_community_manager": full.is_community_manager,
    }


@router.get(
    "/people",
    response={200: PeoplePageOut, 422: ErrorOut},
    summary="The directory: search and filter the people I may see",
)
def people(request: HttpRequest, filters: Query[DirectoryFilters]) -> dict[str, Any]:
    viewer = caller(request)
    found = permissions.visible_people(viewer)
    if filters.query:
        text = filters.query.strip()[:MAX_QUERY]
        for word in text.split():
            found = found.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
                | Q(job_title__icontains=word)
            )
    if filters.department:
        found = found.filter(department__name__iexact=filters.department.strip())
    if filters.site:
        found = found.filter(site__name__iexact=filters.site.strip())
    if filters.skill:
        skill = filters.skill.strip().lower()
        found = found.filter(Q(skills__name=skill) | Q(expertise__name=skill)).distinct()
    rows, next_cursor = keyset_page(
        _with_profile(found), ("last_name", "first_name"), filters.cursor, filters.limit
    )
    return {"items": [person_out(p, viewer) for p in rows], "next_cursor": next_cursor}


@router.get("/people/{person_id}", response={200: PersonOut, 404: ErrorOut}, summary="A profile")
def person_detail(request: HttpRequest, person_id: int) -> dict[str, Any]:
    viewer = caller(request)
    person = permissions.get_visible_person(viewer, person_id)
    return person_out(_with_profile(Person.objects.filter(pk=person.pk)).get(), viewer)


@router.post(
    "/people/{person_id}/contact",
    response={201: None, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Add a person to my contacts",
)
def add_contact(request: HttpRequest, person_id: int) -> Status[Any]:
    viewer = caller(request)
    directory_actions.add_contact(viewer, permissions.get_visible_person(viewer, person_id))
    return Status(201, None)


@router.delete(
    "/people/{person_id}/contact",
    response={204: None, 404: ErrorOut},
    summary="Remove a person from my contacts",
)
def remove_contact(request: HttpRequest, person_id: int) -> Status[Any]:
    viewer = caller(request)
    directory_actions.remove_contact(viewer, permissions.get_visible_person(viewer, person_id))
    return Status(204, None)

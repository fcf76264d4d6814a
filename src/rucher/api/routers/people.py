"""/api/v1/me and the directory (/api/v1/people), read through spaces.permissions: a partner
guest finds only the members of their own partner spaces."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from rucher.api.auth import caller
from rucher.api.pagination import keyset_page
from rucher.api.schemas import ErrorOut, MeOut, PeoplePageOut, PersonOut, Text
from rucher.directory import actions as directory_actions
from rucher.people.models import Person
from rucher.privacy.visibility import hidden_fields, in_directory, searchable_by
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


def person_out(person: Person, viewer: Any, hidden: Collection[str] = ()) -> dict[str, Any]:
    """A profile as ``viewer`` may see it: ``hidden`` are the fields its owner keeps from
    them (``privacy.visibility.hidden_fields``), given empty."""
    manager = person.manager
    # The manager link is shown only when the viewer may see the manager too.
    show_manager = (
        manager is not None
        and (not viewer.is_guest or manager.pk == viewer.pk)
        and "manager" not in hidden
    )

    def shown(field: str, value: Any, empty: Any) -> Any:
        return empty if field in hidden else value

    return {
        "id": person.pk,
        "username": person.username,
        "display_name": person.display_name,
        "kind": person.kind,
        "organisation": person.organisation.name if person.organisation else None,
        "department": shown(
            "department", person.department.name if person.department else None, None
        ),
        "site": shown("site", person.site.name if person.site else None, None),
        "job_title": shown("job_title", person.job_title, ""),
        "manager": {"id": manager.pk, "display_name": manager.display_name}
        if show_manager and manager is not None
        else None,
        "bio": shown("bio", person.bio, ""),
        "languages": shown(
            "languages", [lang for lang in person.languages.split(",") if lang.strip()], []
        ),
        "skills": shown("skills", [t.name for t in person.skills.all()], []),
        "expertise": shown("expertise", [t.name for t in person.expertise.all()], []),
    }


def people_out(rows: list[Person], viewer: Any) -> list[dict[str, Any]]:
    hidden = hidden_fields(viewer, rows)
    return [person_out(p, viewer, hidden.get(p.pk, ())) for p in rows]


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
    found = in_directory(viewer, permissions.visible_people(viewer))
    if filters.query:
        text = filters.query.strip()[:MAX_QUERY]
        everyone = Person.objects.all()
        for word in text.split():
            found = found.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
                | Q(job_title__icontains=word, pk__in=searchable_by(viewer, everyone, "job_title"))
            )
    # Filtering on a value its owner hides from the viewer would reveal it: they are left out.
    if filters.department:
        found = searchable_by(viewer, found, "department").filter(
            department__name__iexact=filters.department.strip()
        )
    if filters.site:
        found = searchable_by(viewer, found, "site").filter(site__name__iexact=filters.site.strip())
    if filters.skill:
        skill = filters.skill.strip().lower()
        found = found.filter(
            Q(skills__name=skill, pk__in=searchable_by(viewer, found, "skills"))
            | Q(expertise__name=skill, pk__in=searchable_by(viewer, found, "expertise"))
        ).distinct()
    rows, next_cursor = keyset_page(
        _with_profile(found), ("last_name", "first_name"), filters.cursor, filters.limit
    )
    return {"items": people_out(rows, viewer), "next_cursor": next_cursor}


@router.get("/people/{person_id}", response={200: PersonOut, 404: ErrorOut}, summary="A profile")
def person_detail(request: HttpRequest, person_id: int) -> dict[str, Any]:
    viewer = caller(request)
    person = permissions.get_visible_person(viewer, person_id)
    return people_out([_with_profile(Person.objects.filter(pk=person.pk)).get()], viewer)[0]


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

"""What a viewer sees of the people the read policy lets them see (``spaces.permissions``
decides *who*; this decides *which parts*, by each member's privacy settings).

Batch by design: ``hidden_fields`` answers for a whole page of people in two queries at most
(their settings; the shared spaces when someone chose "members of my spaces"), so a directory
page does not gain a query per person.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from rucher.people.models import Person
from rucher.privacy.models import DEFAULT_ACTIVITY, PROFILE_FIELDS, Audience, PrivacySettings
from rucher.spaces.models import Membership

ACTIVE = Membership.Status.ACTIVE


def _shared_space_people(viewer: Any, ids: Iterable[int]) -> set[int]:
    """Of ``ids``, the people active in a space where the viewer is active too."""
    mine = Membership.objects.filter(person_id=viewer.pk, status=ACTIVE).values("space_id")
    return set(
        Membership.objects.filter(status=ACTIVE, space_id__in=mine, person_id__in=list(ids))
        .values_list("person_id", flat=True)
        .distinct()
    )


def allows(audience: str, viewer: Any, person_id: int, shares_space: bool) -> bool:
    if viewer.pk == person_id or audience == Audience.EVERYONE:
        return True
    if audience == Audience.MEMBERS:
        return not viewer.is_guest
    if audience == Audience.MY_SPACES:
        return shares_space
    return False


def _choices(people_ids: list[int]) -> dict[int, PrivacySettings]:
    return {row.person_id: row for row in PrivacySettings.objects.filter(person_id__in=people_ids)}


def _resolve(
    viewer: Any, people: Iterable[Any], activity_of: int | None = None
) -> tuple[dict[int, set[str]], bool]:
    """The hidden fields of each person and whether ``activity_of``'s activity is visible:
    their settings in one query, the shared spaces in one more when someone needs them."""
    ids = [p.pk for p in people if p.pk != viewer.pk]
    if activity_of is not None and activity_of != viewer.pk and activity_of not in ids:
        ids.append(activity_of)
    if not ids:
        return {}, True
    rows = _choices(ids)

    def audience(pk: int, field: str) -> str:
        return rows[pk].audience_of(field) if pk in rows else PROFILE_FIELDS[field]

    def activity(pk: int) -> str:
        return rows[pk].activity if pk in rows else DEFAULT_ACTIVITY

    needs_spaces = [
        pk
        for pk in ids
        if any(audience(pk, f) == Audience.MY_SPACES for f in PROFILE_FIELDS)
        or (pk == activity_of and activity(pk) == Audience.MY_SPACES)
    ]
    shared = _shared_space_people(viewer, needs_spaces) if needs_spaces else set()
    hidden = {
        pk: {f for f in PROFILE_FIELDS if not allows(audience(pk, f), viewer, pk, pk in shared)}
        for pk in ids
    }
    shows_activity = activity_of is None or allows(
        activity(activity_of), viewer, activity_of, activity_of in shared
    )
    return hidden, shows_activity


def hidden_fields(viewer: Any, people: Iterable[Any]) -> dict[int, set[str]]:
    """For each person, the profile fields ``viewer`` may not see."""
    return _resolve(viewer, people)[0]


def mark(viewer: Any, people: list[Any], activity_of: int | None = None) -> bool:
    """Set ``hidden_fields`` on each person instance (for templates; never saved); return
    whether ``activity_of``'s activity is visible to ``viewer`` (True when not asked)."""
    hidden, shows_activity = _resolve(viewer, people, activity_of)
    for person in people:
        person.hidden_fields = hidden.get(person.pk, set())
    return shows_activity


def in_directory(viewer: Any, people: QuerySet[Person]) -> QuerySet[Person]:
    """The directory (and mention suggestions) of ``viewer``: partner guests do not find the
    members who chose not to be listed to them."""
    if not getattr(viewer, "is_guest", False):
        return people
    return people.exclude(Q(privacy_settings__listed_to_partners=False) & ~Q(pk=viewer.pk))


def searchable_by(viewer: Any, people: QuerySet[Person], field: str) -> QuerySet[Person]:
    """``people`` without those who hide ``field`` from ``viewer``: filtering by a hidden value
    would reveal it."""
    key = f"privacy_settings__fields__{field}"
    hiding = Q(**{key: Audience.NOBODY})
    if viewer.is_guest:
        hiding |= Q(**{key: Audience.MEMBERS})
    mine = Membership.objects.filter(person_id=viewer.pk, status=ACTIVE).values("space_id")
    sharing = Membership.objects.filter(status=ACTIVE, space_id__in=mine).values("person_id")
    hiding |= Q(**{key: Audience.MY_SPACES}) & ~Q(pk__in=sharing)
    return people.exclude(hiding & ~Q(pk=viewer.pk))

"""The one read-permission policy. Every read path (pages, API, streams, search, exports,
notifications, cockpit) goes through these functions; nothing else decides who sees what.

Rules (docs/architecture.md, "Permissions"):
- An employee (any non-guest account) sees every open or private space in lists, and the
  secret spaces they belong to. They read the content of open spaces and of spaces they are
  an active member of; private spaces show their card, not their content, to non-members.
- A partner guest sees only the partner-shared spaces they were invited to or belong to,
  reads only those they are an active member of, and sees only the people in them.
- Secret spaces do not exist for non-members: not in lists, counts, streams or the API.
- A confidential space's content is never exported, and each read of it is recorded.
- Profile posts (no space) are read by employees only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from rucher.conversations.models import Content
from rucher.errors import Forbidden, NotFound
from rucher.people.models import Person
from rucher.spaces.models import ConfidentialRead, Membership, Space

ACTIVE = Membership.Status.ACTIVE
MANAGING_ROLES = (Membership.Role.OWNER, Membership.Role.COMMUNITY_MANAGER)


def _active_space_ids(person: Person) -> QuerySet[Membership, Any]:
    return Membership.objects.filter(person_id=person.pk, status=ACTIVE).values("space_id")


def visible_spaces(person: Any) -> QuerySet[Space]:
    """Spaces whose existence this person may know of (lists, counts, links)."""
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return Space.objects.none()
    mine = Membership.objects.filter(person_id=person.pk).values("space_id")
    if person.is_guest:
        return Space.objects.filter(kind=Space.Kind.PARTNER, id__in=mine)
    return Space.objects.filter(
        Q(visibility__in=(Space.Visibility.OPEN, Space.Visibility.PRIVATE)) | Q(id__in=mine)
    )


def readable_spaces(person: Any) -> QuerySet[Space]:
    """Spaces whose content this person may read."""
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return Space.objects.none()
    active = _active_space_ids(person)
    if person.is_guest:
        return Space.objects.filter(kind=Space.Kind.PARTNER, id__in=active)
    return Space.objects.filter(Q(visibility=Space.Visibility.OPEN) | Q(id__in=active))


def visible_content(person: Any) -> QuerySet[Content]:
    """Published content this person may read (every kind: posts, comments, answers…)."""
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return Content.objects.none()
    # A reply is only as visible as its conversation: deleting a post hides its thread.
    published = Content.objects.filter(status=Content.Status.PUBLISHED).filter(
        Q(root__isnull=True) | Q(root__status=Content.Status.PUBLISHED)
    )
    readable = readable_spaces(person).values("id")
    if person.is_guest:
        return published.filter(space_id__in=readable)
    return published.filter(Q(space_id__in=readable) | Q(space__isnull=True))


def visible_people(person: Any) -> QuerySet[Person]:
    """People this person may find in the directory and see the profile of."""
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return Person.objects.none()
    active_people = Person.objects.filter(is_active=True)
    if person.is_guest:
        shared = Membership.objects.filter(
            status=ACTIVE, space_id__in=readable_spaces(person).values("id")
        ).values("person_id")
        return active_people.filter(id__in=shared)
    return active_people


def membership(person: Any, space: Space) -> Membership | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return Membership.objects.filter(person_id=person.pk, space_id=space.pk).first()


def get_visible_space(person: Any, space_id: int | str) -> Space:
    """The space, or NotFound when it does not exist or may not be known of."""
    try:
        return visible_spaces(person).get(pk=int(space_id))
    except (Space.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("space not found")) from None


def get_visible_space_by_slug(person: Any, slug: str) -> Space:
    try:
        return visible_spaces(person).get(slug=slug)
    except Space.DoesNotExist:
        raise NotFound(_("space not found")) from None


def can_read_space(person: Any, space: Space) -> bool:
    return readable_spaces(person).filter(pk=space.pk).exists()


def get_visible_content(
    person: Any, content_id: int | str, channel: str = "web", *, record_read: bool = True
) -> Content:
    """Readable content by id, or NotFound. Reading confidential content is recorded; writes
    (reply, react, edit…) pass ``record_read=False``: the event log already records them."""
    try:
        content = (
            visible_content(person)
            .select_related("author", "space", "author__department")
            .get(pk=int(content_id))
        )
    except (Content.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("content not found")) from None
    if record_read and content.space is not None and content.space.confidential:
        record_confidential_read(person, content.space, "content", content.pk, channel)
    return content


def get_visible_person(person: Any, person_id: int | str) -> Person:
    try:
        return (
            visible_people(person)
            .select_related("department", "site", "manager")
            .get(pk=int(person_id))
        )
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("person not found")) from None


def can_post_in(person: Any, space: Space) -> bool:
    m = membership(person, space)
    return m is not None and m.status == ACTIVE


def require_post_in(person: Any, space: Space) -> None:
    """NotFound if the space may not be known of; Forbidden if known but not joined."""
    if not visible_spaces(person).filter(pk=space.pk).exists():
        raise NotFound(_("space not found"))
    if not can_post_in(person, space):
        raise Forbidden(_("join this space to post in it"))


def can_manage_space(person: Any, space: Space) -> bool:
    """Owners and the space's community managers manage it; so do administrators."""
    if getattr(person, "kind", None) == Person.Kind.ADMIN and not person.is_guest:
        return space.visibility != Space.Visibility.SECRET or membership(person, space) is not None
    m = membership(person, space)
    return m is not None and m.status == ACTIVE and m.role in MANAGING_ROLES


def can_moderate(person: Any, space: Space | None) -> bool:
    """Moderation: the space's managers, and community-manager accounts on the spaces they
    may read (profile posts included)."""
    if getattr(person, "is_guest", True):
        return False
    if space is None:
        return bool(person.is_community_manager)
    if can_manage_space(person, space):
        return True
    return bool(person.is_community_manager) and can_read_space(person, space)


def record_confidential_reads(person: Any, items: Iterable[Content], channel: str = "web") -> None:
    """Every confidential item shown on a page is a read: one INSERT for the whole page, and
    none when the page holds no confidential item (the items' spaces are already loaded)."""
    rows = [
        ConfidentialRead(
            person_id=person.pk,
            space=item.space,
            object_type=item.kind,
            object_id=item.pk,
            channel=channel,
        )
        for item in items
        if item.space is not None and item.space.confidential
    ]
    if rows:
        ConfidentialRead.objects.bulk_create(rows)


def record_confidential_reads_by_id(
    person: Any, reads: list[tuple[int, str, int]], channel: str = "web"
) -> None:
    """The same, from (space id, object type, object id) triples kept with a cached page."""
    if reads:
        ConfidentialRead.objects.bulk_create(
            ConfidentialRead(
                person_id=person.pk,
                space_id=space_id,
                object_type=kind,
                object_id=pk,
                channel=channel,
            )
            for space_id, kind, pk in reads
        )


def record_confidential_read(
    person: Any, space: Space, object_type: str, object_id: int | None, channel: str = "web"
) -> None:
    ConfidentialRead.objects.create(
        person_id=person.pk,
        space=space,
        object_type=object_type,
        object_id=object_id,
        channel=channel,
    )

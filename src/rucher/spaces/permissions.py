"""The one read-permission policy. Every read path (pages, API, streams, search, exports,
notifications, cockpit) goes through these functions; nothing else decides who sees what.

Rules (docs/architecture.md, "Permissions"):
- An employee (any non-guest account) sees every open or private space in lists, and the
  secret spaces they belong to. They read the content of open spaces and of spaces they are
  an active member of; private spaces show their card, not their content, to non-members.
- A partner guest sees only the partner-shared spaces they were invited to or belong to,
  reads only those they are an active member of, and sees only the people in them.
- Secret spaces do not exist for non-members: not in lists, counts, streams or the API.
- A confidential space's content is never exported, and each read of it is recorded
  (``spaces.confidential``, at the edge that shows it: reads here are pure).
- Profile posts (no space) are read by employees only.

The content rules read a few fields of content rows (``status``, ``root``, ``space``,
``parent_id``, ``author_id``) without importing the content model: conversations sit above
spaces in the layers (docs/architecture.md), and the policy filters whatever queryset of
content they hand it (``Content.objects.visible_to(person)`` is this module's
``visible_content``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rucher.errors import Forbidden, NotFound
from rucher.people.models import Person
from rucher.spaces.models import Membership, Space

ACTIVE = Membership.Status.ACTIVE
MANAGING_ROLES = (Membership.Role.OWNER, Membership.Role.COMMUNITY_MANAGER)
# The content statuses the policy reads (conversations.models.Content.Status).
PUBLISHED = "published"
DELETED = "deleted"
HIDDEN = "hidden"  # hidden by a moderator: its author and the moderators still see it
HELD = "held"  # held for review before publishing (sensitive data): seen as hidden content

# Any queryset of content rows; the policy hands back the same type (a custom queryset too).
Rows = TypeVar("Rows", bound=QuerySet[Any, Any])


class Placed(Protocol):
    """What the policy reads of a content item: where it lives and who wrote it."""

    pk: Any
    author_id: Any
    parent_id: Any

    @property
    def space(self) -> Space | None: ...


def _signed_in(person: Any) -> bool:
    return bool(getattr(person, "is_authenticated", False) and person.is_active)


def _active_space_ids(person: Person) -> QuerySet[Membership, Any]:
    return Membership.objects.filter(person_id=person.pk, status=ACTIVE).values("space_id")


# --- spaces -------------------------------------------------------------------------------


def visible_spaces(person: Any) -> QuerySet[Space]:
    """Spaces whose existence this person may know of (lists, counts, links)."""
    if not _signed_in(person):
        return Space.objects.none()
    mine = Membership.objects.filter(person_id=person.pk).values("space_id")
    if person.is_guest:
        return Space.objects.filter(kind=Space.Kind.PARTNER, id__in=mine)
    return Space.objects.filter(
        Q(visibility__in=(Space.Visibility.OPEN, Space.Visibility.PRIVATE)) | Q(id__in=mine)
    )


def readable_spaces(person: Any) -> QuerySet[Space]:
    """Spaces whose content this person may read."""
    if not _signed_in(person):
        return Space.objects.none()
    active = _active_space_ids(person)
    if person.is_guest:
        return Space.objects.filter(kind=Space.Kind.PARTNER, id__in=active)
    return Space.objects.filter(Q(visibility=Space.Visibility.OPEN) | Q(id__in=active))


def postable_spaces(person: Any) -> QuerySet[Space]:
    """Spaces this person may post in: readable ones they are an active member of."""
    if not _signed_in(person):
        return Space.objects.none()
    return readable_spaces(person).filter(id__in=_active_space_ids(person))


def share_targets(person: Any) -> QuerySet[Space]:
    """Where this person may share a post: internal spaces they post in."""
    return postable_spaces(person).filter(kind=Space.Kind.INTERNAL)


def managed_spaces(person: Any) -> QuerySet[Space]:
    """Spaces this person manages (see ``can_manage_space``), as one query."""
    if not _signed_in(person) or person.is_guest:
        return Space.objects.none()
    managing = Membership.objects.filter(
        person_id=person.pk, status=ACTIVE, role__in=MANAGING_ROLES
    ).values("space_id")
    if person.kind == Person.Kind.ADMIN:
        return Space.objects.filter(
            ~Q(visibility=Space.Visibility.SECRET)
            | Q(id__in=Membership.objects.filter(person_id=person.pk).values("space_id"))
        )
    return Space.objects.filter(id__in=managing)


def moderated_spaces(person: Any) -> QuerySet[Space]:
    """Spaces whose content this person moderates (see ``can_moderate``)."""
    if not _signed_in(person) or person.is_guest:
        return Space.objects.none()
    if person.is_community_manager:
        return readable_spaces(person) | managed_spaces(person)
    return managed_spaces(person)


def membership(person: Any, space: Space) -> Membership | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return Membership.objects.filter(person_id=person.pk, space_id=space.pk).first()


def get_visible_space(person: Any, space_id: int | str) -> Space:
    """The space, or NotFound when it does not exist or may not be known of."""
    try:
        return visible_spaces(person).get(pk=int(space_id))
    except (Space.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("space not found")) from None


def get_visible_space_by_slug(person: Any, slug: str) -> Space:
    try:
        return visible_spaces(person).get(slug=slug)
    except Space.DoesNotExist:
        raise NotFound(_("space not found")) from None


def can_read_space(person: Any, space: Space) -> bool:
    return readable_spaces(person).filter(pk=space.pk).exists()


def is_suspended(member: Membership | None) -> bool:
    """A moderator suspended this member from the space and the suspension still runs (one
    that has reached its end has lifted by itself: nothing needs to clear it)."""
    if member is None or member.suspended_at is None:
        return False
    return member.suspended_until is None or member.suspended_until > timezone.now()


def suspension_message(member: Membership) -> str:
    """Why a suspended member may not post, reply or react, in words."""
    if member.suspended_until is None:
        return _("you are suspended from this space until a moderator lifts it")
    until = formats.date_format(timezone.localtime(member.suspended_until), "SHORT_DATETIME_FORMAT")
    return _("you are suspended from this space until %(until)s") % {"until": until}


def can_post_in(person: Any, space: Space, member: Membership | bool | None = False) -> bool:
    """An active member who is not suspended posts. ``member`` passes a membership already
    read (or None for "not a member"), saving the query."""
    m = membership(person, space) if member is False else member
    return isinstance(m, Membership) and m.status == ACTIVE and not is_suspended(m)


def require_post_in(person: Any, space: Space, member: Membership | bool | None = False) -> None:
    """NotFound if the space may not be known of; Forbidden if known but not joined, or
    while suspended. ``member`` passes a membership already read (or None), saving the query."""
    m = membership(person, space) if member is False else member
    if m is None and not visible_spaces(person).filter(pk=space.pk).exists():
        raise NotFound(_("space not found"))
    if not can_post_in(person, space, m):
        if isinstance(m, Membership) and m.status == ACTIVE:
            raise Forbidden(suspension_message(m))
        raise Forbidden(_("join this space to post in it"))


def refusal(person: Any, space: Space | None, otherwise: str) -> str:
    """The message of a refused reply, reaction or vote: the suspension when there is one,
    else ``otherwise`` (read only on the refusal path: it costs a query)."""
    if space is not None:
        m = membership(person, space)
        if m is not None and m.status == ACTIVE and is_suspended(m):
            return suspension_message(m)
    return otherwise


def can_read_audit(person: Any) -> bool:
    """The audit trail is the administrators' (reading it is itself audited)."""
    return _signed_in(person) and getattr(person, "kind", None) == Person.Kind.ADMIN


def can_manage_space(person: Any, space: Space, member: Membership | bool | None = False) -> bool:
    """Owners and the space's community managers manage it; so do administrators (except
    the secret spaces they are not in)."""
    if getattr(person, "is_guest", True):
        return False
    m = membership(person, space) if member is False else member
    if getattr(person, "kind", None) == Person.Kind.ADMIN:
        return space.visibility != Space.Visibility.SECRET or m is not None
    return isinstance(m, Membership) and m.status == ACTIVE and m.role in MANAGING_ROLES


def can_moderate(
    person: Any, space: Space | None, member: Membership | bool | None = False
) -> bool:
    """Moderation: the space's managers, and community-manager accounts on the spaces they
    may read (profile posts included). ``member``: as for ``can_post_in``."""
    if getattr(person, "is_guest", True):
        return False
    if space is None:
        return bool(person.is_community_manager)
    if can_manage_space(person, space, member):
        return True
    return bool(person.is_community_manager) and can_read_space(person, space)


def moderates_people(person: Any) -> bool:
    """Profiles (and profile posts) are moderated by community-manager accounts: the
    "moderators" given by administrators (kinds community manager and administrator)."""
    return _signed_in(person) and not person.is_guest and bool(person.is_community_manager)


def reviewed_spaces(person: Any) -> QuerySet[Space]:
    """The spaces whose flags reach this person's review queue: those they moderate and
    read (an administrator manages private spaces they are not in, but cannot read them, so
    they cannot judge their content)."""
    if not _signed_in(person) or person.is_guest:
        return Space.objects.none()
    return moderated_spaces(person).filter(id__in=readable_spaces(person).values("id"))


def reviewable(person: Any, rows: Rows) -> Rows:
    """Rows of the review queue (anything with ``space_id`` and ``profile_id``: a flagged
    item) this person may see and decide on: items of the spaces in ``reviewed_spaces``;
    profiles and profile posts for community-manager accounts."""
    if not _signed_in(person) or person.is_guest:
        return rows.none()
    in_spaces = Q(space_id__in=reviewed_spaces(person).values("id"))
    if moderates_people(person):
        return rows.filter(in_spaces | Q(space__isnull=True))
    return rows.filter(in_spaces)


def can_invite(person: Any, space: Space, member: Membership | bool | None = False) -> bool:
    """Any active member invites colleagues to an open internal space; the managers invite
    to private, secret and partner-shared spaces."""
    m = membership(person, space) if member is False else member
    if not can_post_in(person, space, m):
        return False
    if (
        space.visibility == Space.Visibility.OPEN
        and space.kind == Space.Kind.INTERNAL
        and not person.is_guest
    ):
        return True
    return can_manage_space(person, space, m)


def may_be_invited(invitee: Any, space: Space) -> bool:
    """Partner guests are only ever invited into partner-shared spaces."""
    return not invitee.is_guest or space.kind == Space.Kind.PARTNER


def can_create_space(person: Any) -> bool:
    return _signed_in(person) and not person.is_guest


def can_use_cockpit(person: Any) -> bool:
    """The cockpit is for community managers and administrators, never a guest."""
    return _signed_in(person) and not person.is_guest and bool(person.is_community_manager)


def can_manage_recognition(person: Any) -> bool:
    """The kudos list and the badge rules (rucher.recognition) are the community managers'
    and administrators', never a guest's (docs/recognition.md)."""
    return _signed_in(person) and not person.is_guest and bool(person.is_community_manager)


def analysable_spaces(viewer: Any | None, *, leaving_rucher: bool) -> QuerySet[Space]:
    """Spaces whose content and events may enter figures or files.

    For a viewer (the cockpit) the spaces they read; with no viewer (the command line, run
    by the server's operator) every space. Whatever leaves rucher (an export, a CSV, a
    report file) never carries a confidential space."""
    spaces = Space.objects.all() if viewer is None else readable_spaces(viewer)
    return spaces.exclude(confidential=True) if leaving_rucher else spaces


# --- content ------------------------------------------------------------------------------


def visible_content(person: Any, content: Rows) -> Rows:
    """Published content this person may read, out of ``content`` (every kind: posts,
    comments, answers…). Called as ``Content.objects.visible_to(person)``."""
    if not _signed_in(person):
        return content.none()
    # A reply is only as visible as its conversation: deleting a post hides its thread.
    published = content.filter(status=PUBLISHED).filter(
        Q(root__isnull=True) | Q(root__status=PUBLISHED)
    )
    readable = readable_spaces(person).values("id")
    if person.is_guest:
        return published.filter(space_id__in=readable)
    return published.filter(Q(space_id__in=readable) | Q(space__isnull=True))


def moderated_content(person: Any, content: Rows) -> Rows:
    """Published or hidden content this person moderates, out of ``content``: what a
    moderation decision may act on (deleted content is restored by ``restorable_content``)."""
    if not _signed_in(person) or person.is_guest:
        return content.none()
    live = content.filter(status__in=(PUBLISHED, HIDDEN, HELD)).filter(
        Q(root__isnull=True) | Q(root__status__in=(PUBLISHED, HIDDEN, HELD))
    )
    return reviewable(person, live)


def hidden_content_seen(person: Any, content: Rows) -> Rows:
    """Hidden content this person still sees, marked (its page): their own, and what they
    moderate. Never in streams, lists or counts (those read ``visible_content``)."""
    if not _signed_in(person):
        return content.none()
    hidden = content.filter(status__in=(HIDDEN, HELD))
    where = Q(space_id__in=readable_spaces(person).values("id"))
    if not person.is_guest:
        where |= Q(space__isnull=True)
    return hidden.filter(where, author_id=person.pk) | moderated_content(person, hidden)


def restorable_content(person: Any, deleted: Rows) -> Rows:
    """Deleted content this person may restore, out of ``deleted`` (see ``can_restore``)."""
    if not _signed_in(person) or person.is_guest:
        return deleted.none()
    spaces = (
        moderated_spaces(person).filter(id__in=readable_spaces(person).values("id")).values("id")
    )
    if person.is_community_manager:
        return deleted.filter(Q(space_id__in=spaces) | Q(space__isnull=True))
    return deleted.filter(space_id__in=spaces)


def can_reply(person: Any, root: Placed, member: Membership | bool | None = False) -> bool:
    """Reply (comment, answer, quote) under content one reads: members of its space;
    employees under profile posts. ``member``: as for ``can_post_in``."""
    if root.space is None:
        return _signed_in(person) and not person.is_guest
    return can_post_in(person, root.space, member)


def can_react(person: Any, content: Placed) -> bool:
    return can_reply(person, content)


def can_vote(person: Any, poll: Placed) -> bool:
    return can_reply(person, poll)


def can_edit(person: Any, content: Placed) -> bool:
    return bool(content.author_id == person.pk)


def can_delete(person: Any, content: Placed) -> bool:
    return content.author_id == person.pk or can_moderate(person, content.space)


def can_accept_answer(person: Any, question: Placed) -> bool:
    return question.author_id == person.pk or can_moderate(person, question.space)


def can_restore(person: Any, content: Placed) -> bool:
    """Moderators restore deleted content of spaces they read (profile posts: employees)."""
    space = content.space
    readable = can_read_space(person, space) if space is not None else not person.is_guest
    return readable and can_moderate(person, space)


def is_shareable(content: Placed) -> bool:
    """Only what every employee may read is shared: posts of open internal spaces that are
    not confidential, and profile posts; so a share never widens an audience."""
    source = content.space
    # Only what is published: a hidden or held post is not offered for sharing either.
    if getattr(content, "status", "published") != "published":
        return False
    return content.parent_id is None and (
        source is None
        or (
            source.visibility == Space.Visibility.OPEN
            and not source.confidential
            and source.kind == Space.Kind.INTERNAL
        )
    )


def can_share_into(person: Any, space: Space) -> bool:
    """Shares land in internal spaces the sharer posts in: never in a partner space."""
    return space.kind == Space.Kind.INTERNAL and can_post_in(person, space)


def can_post_on_profile(person: Any) -> bool:
    return _signed_in(person) and not person.is_guest


# --- people -------------------------------------------------------------------------------


def visible_people(person: Any) -> QuerySet[Person]:
    """People this person may find in the directory and see the profile of."""
    if not _signed_in(person):
        return Person.objects.none()
    active_people = Person.objects.filter(is_active=True)
    if person.is_guest:
        shared = Membership.objects.filter(
            status=ACTIVE, space_id__in=readable_spaces(person).values("id")
        ).values("person_id")
        return active_people.filter(id__in=shared)
    return active_people


def may_write_to(person: Any, others: Sequence[Person]) -> bool:
    """Direct messages (rucher.messaging): ``person`` may write privately to ``others``, and
    each of them to every other, when they all may see each other (``visible_people`` both
    ways): a partner guest only with the people of their spaces. Every account but a guest
    sees every active person, so one query for the writer, then one per guest among the
    others (a conversation has at most twenty people)."""
    if not _signed_in(person):
        return False
    everyone = [person, *others]
    ids = {p.pk for p in everyone}
    for viewer in everyone:
        if viewer is not person and not viewer.is_guest:
            continue
        seen = set(visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True))
        if seen | {viewer.pk} != ids:
            return False
    return True


def space_readers(space: Space | None) -> QuerySet[Person]:
    """People who may read published content in ``space`` (None: profile posts): the
    converse of ``visible_content``, one query for "who of these may read it" (mentions).

    Signed in means an active account; employees (every non-guest kind) read open spaces,
    the spaces they are an active member of and profile posts; partner guests read the
    partner-shared spaces they are an active member of."""
    active = Person.objects.filter(is_active=True)
    employee = ~Q(kind=Person.Kind.PARTNER)
    if space is None:
        return active.filter(employee)
    member = Q(
        id__in=Membership.objects.filter(space_id=space.pk, status=ACTIVE).values("person_id")
    )
    employees_read = employee if space.visibility == Space.Visibility.OPEN else employee & member
    if space.kind == Space.Kind.PARTNER:
        return active.filter(employees_read | (Q(kind=Person.Kind.PARTNER) & member))
    return active.filter(employees_read)


def get_visible_person(person: Any, person_id: int | str) -> Person:
    try:
        return (
            visible_people(person)
            .select_related("department", "site", "manager")
            .get(pk=int(person_id))
        )
    except (Person.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("person not found")) from None

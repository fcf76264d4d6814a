"""Write paths for spaces: create, join, leave, invite, request and approve."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.errors import Conflict, Forbidden, Invalid, NotFound
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Membership, Space
from rucher.text import is_blank, require, strip

ACTIVE = Membership.Status.ACTIVE
MAX_NAME = 120


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "espace"
    slug, n = base, 1
    while Space.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_space(
    creator: Person,
    name: str,
    *,
    description: str = "",
    visibility: str = Space.Visibility.OPEN,
    kind: str = Space.Kind.INTERNAL,
    confidential: bool = False,
    parent_id: int | None = None,
) -> Space:
    name = strip(require(name or "", _("name")))
    description = strip(require(description or "", _("description")))
    if is_blank(name):
        raise Invalid(_("a space needs a name"))
    if len(name) > MAX_NAME:
        raise Invalid(_("a space name has at most %(limit)s characters") % {"limit": MAX_NAME})
    if len(description) > 2000:
        raise Invalid(_("a description has at most 2000 characters"))
    if visibility not in Space.Visibility.values:
        raise Invalid(
            _("visibility must be one of %(choices)s")
            % {"choices": ", ".join(Space.Visibility.values)}
        )
    if kind not in Space.Kind.values:
        raise Invalid(
            _("kind must be one of %(choices)s") % {"choices": ", ".join(Space.Kind.values)}
        )
    if not permissions.can_create_space(creator):
        raise Forbidden(_("partner guests cannot create spaces"))
    parent = None
    if parent_id is not None:
        parent = permissions.get_visible_space(creator, parent_id)
        if not permissions.can_manage_space(creator, parent):
            raise Forbidden(_("only the hub's managers can add sub-spaces to it"))
        if parent.parent_id is not None:
            raise Invalid(_("sub-spaces cannot have sub-spaces of their own (one level of hubs)"))
        if parent.visibility == Space.Visibility.SECRET and visibility != Space.Visibility.SECRET:
            raise Invalid(_("the sub-spaces of a secret hub are secret too"))
    space = Space.objects.create(
        name=name,
        slug=_unique_slug(name),
        description=description,
        visibility=visibility,
        kind=kind,
        confidential=bool(confidential),
        parent=parent,
        created_by=creator,
        member_count=1,
    )
    Membership.objects.create(space=space, person=creator, role=Membership.Role.OWNER)
    record(creator, "created_space", "space", space.pk, space_id=space.pk)
    return space


def _activate(membership: Membership) -> None:
    membership.status = ACTIVE
    membership.save(update_fields=["status"])
    Space.objects.filter(pk=membership.space_id).update(member_count=F("member_count") + 1)


@transaction.atomic
def join_space(person: Person, space: Space) -> Membership:
    """Open spaces: join at once. Private: a request (or accepting an invitation). Secret
    spaces: only by invitation. Partner guests: only by invitation, whatever the space."""
    existing = permissions.membership(person, space)
    if existing is not None and existing.status == ACTIVE:
        raise Conflict(_("already a member of this space"))
    if existing is not None and existing.status == Membership.Status.INVITED:
        _activate(existing)
        record(person, "joined_space", "space", space.pk, space_id=space.pk)
        return existing
    if existing is not None:
        raise Conflict(_("your request to join is already waiting for approval"))
    if not permissions.visible_spaces(person).filter(pk=space.pk).exists():
        raise NotFound(_("space not found"))
    if person.is_guest:
        raise Forbidden(_("partner guests join spaces by invitation only"))
    if space.visibility == Space.Visibility.OPEN:
        membership = Membership.objects.create(space=space, person=person)
        Space.objects.filter(pk=space.pk).update(member_count=F("member_count") + 1)
        record(person, "joined_space", "space", space.pk, space_id=space.pk)
        return membership
    if space.visibility == Space.Visibility.PRIVATE:
        membership = Membership.objects.create(
            space=space, person=person, status=Membership.Status.REQUESTED
        )
        record(person, "requested_to_join", "space", space.pk, space_id=space.pk)
        return membership
    raise Forbidden(_("this space is joined by invitation only"))


@transaction.atomic
def leave_space(person: Person, space: Space) -> None:
    membership = permissions.membership(person, space)
    if membership is None:
        raise NotFound(_("not a member of this space"))
    if membership.role == Membership.Role.OWNER:
        other_owners = space.memberships.filter(role=Membership.Role.OWNER, status=ACTIVE).exclude(
            pk=membership.pk
        )
        if not other_owners.exists():
            raise Conflict(_("the last owner cannot leave: name another owner first"))
    was_active = membership.status == ACTIVE
    membership.delete()
    if was_active:
        Space.objects.filter(pk=space.pk).update(member_count=F("member_count") - 1)
        record(person, "left_space", "space", space.pk, space_id=space.pk)


@transaction.atomic
def invite(inviter: Person, space: Space, invitee: Person) -> Membership:
    """Members invite to open spaces; managers invite to private, secret and partner spaces.
    Partner guests can only be invited into partner-shared spaces."""
    mine = permissions.membership(inviter, space)
    if not permissions.can_post_in(inviter, space, mine):
        raise (
            NotFound(_("space not found"))
            if not permissions.can_read_space(inviter, space)
            else Forbidden(_("join this space before inviting to it"))
        )
    if not permissions.can_invite(inviter, space, mine):
        raise Forbidden(_("only the space's managers invite to it"))
    if not permissions.may_be_invited(invitee, space):
        raise Forbidden(_("partner guests can only be invited into partner-shared spaces"))
    if not invitee.is_active:
        raise Invalid(_("this account is not active"))
    existing = permissions.membership(invitee, space)
    if existing is not None and existing.status == ACTIVE:
        raise Conflict(_("already a member of this space"))
    if existing is not None and existing.status == Membership.Status.REQUESTED:
        _activate(existing)  # inviting someone who asked is approving them
        record(inviter, "invited", "space", space.pk, space_id=space.pk, target_id=invitee.pk)
        return existing
    if existing is not None:
        raise Conflict(_("already invited"))
    try:
        membership = Membership.objects.create(
            space=space, person=invitee, status=Membership.Status.INVITED, invited_by=inviter
        )
    except IntegrityError:
        raise Conflict(_("already invited")) from None
    record(inviter, "invited", "space", space.pk, space_id=space.pk, target_id=invitee.pk)
    return membership


@transaction.atomic
def approve_request(manager: Person, membership: Membership) -> Membership:
    if not permissions.can_manage_space(manager, membership.space):
        raise Forbidden(_("only the space's managers approve requests"))
    if membership.status != Membership.Status.REQUESTED:
        raise Conflict(_("there is no request to approve"))
    _activate(membership)
    record(
        membership.person,
        "joined_space",
        "space",
        membership.space_id,
        space_id=membership.space_id,
    )
    return membership


@transaction.atomic
def set_role(manager: Person, membership: Membership, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise Invalid(
            _("role must be one of %(choices)s") % {"choices": ", ".join(Membership.Role.values)}
        )
    if not permissions.can_manage_space(manager, membership.space):
        raise Forbidden(_("only the space's managers change roles"))
    if membership.person.is_guest and role != Membership.Role.MEMBER:
        raise Invalid(_("partner guests can only be members"))
    touches_owner = Membership.Role.OWNER in (role, membership.role)
    manager_role = getattr(permissions.membership(manager, membership.space), "role", None)
    if touches_owner and manager_role != Membership.Role.OWNER and manager.kind != "admin":
        raise Forbidden(_("only an owner grants or removes the owner role"))
    if membership.role == Membership.Role.OWNER and role != Membership.Role.OWNER:
        owners = membership.space.memberships.filter(role=Membership.Role.OWNER, status=ACTIVE)
        if not owners.exclude(pk=membership.pk).exists():
            raise Conflict(_("a space keeps at least one owner"))
    if membership.role == role:
        return membership
    membership.role = role
    membership.save(update_fields=["role"])
    record(
        manager,
        "changed_role",
        "space",
        membership.space_id,
        space_id=membership.space_id,
        target_id=membership.person_id,
    )
    return membership

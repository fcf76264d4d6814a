"""The write door of provisioning: connections, and the users and groups a connection manages.

Accounts change through the people actions (``rucher.people.actions.accounts``: one event
each, audited); the SCIM resource as the directory sent it is kept beside the account in the
same transaction. A group is a department or a space of the same name (the connection's
setting); changing its members moves their department, or their memberships, in one event.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.errors import Conflict, Invalid
from rucher.people.actions import accounts
from rucher.people.models import Department, Person
from rucher.provisioning.models import (
    DirectoryConnection,
    GroupMembershipGrant,
    ProvisionedGroup,
    ProvisionedUser,
    hash_secret,
)
from rucher.spaces.models import Membership, Space

CONNECTION_TOKEN_PREFIX = "scim_"


def _new_token() -> str:
    return CONNECTION_TOKEN_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def create_connection(
    acting_as: Person, name: str, group_target: str = DirectoryConnection.GroupTarget.DEPARTMENTS
) -> tuple[DirectoryConnection, str]:
    """A new connection and its bearer token (returned once, stored hashed); an existing
    connection of that name gets a new token instead, the old one stops working."""
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise Invalid(_("a connection name has 1 to 60 characters"))
    if group_target not in DirectoryConnection.GroupTarget.values:
        raise Invalid(_("groups become departments or spaces"))
    if acting_as.kind != Person.Kind.ADMIN or not acting_as.is_active:
        raise Invalid(_("a connection acts for an active administrator"))
    raw = _new_token()
    connection, _created = DirectoryConnection.objects.update_or_create(
        name=name,
        defaults={
            "token_hash": hash_secret(raw),
            "token_prefix": raw[: len(CONNECTION_TOKEN_PREFIX) + 6],
            "acting_as": acting_as,
            "group_target": group_target,
        },
    )
    record(acting_as, "created_token", "scim_connection", connection.pk)
    return connection, raw


def _fields_changed(person: Person, fields: dict[str, Any]) -> bool:
    return any(getattr(person, name) != value for name, value in fields.items())


@transaction.atomic
def provision_user(
    connection: DirectoryConnection, resource: dict[str, Any], fields: dict[str, Any], active: bool
) -> ProvisionedUser:
    """A new account from the directory. An account of the same user name that no connection
    manages yet is taken over (the directory is the source of truth), unless it belongs to
    an administrator or a community manager: that is a conflict."""
    username = str(fields.get("username") or "")
    existing = Person.objects.filter(username__iexact=username).first()
    if existing is not None:
        if ProvisionedUser.objects.filter(person=existing).exists():
            raise Conflict(_("the user name %(name)s is taken") % {"name": username})
        person = accounts.change_account(connection.acting_as, existing, active=active, **fields)
    else:
        person = accounts.create_account(connection.acting_as, active=active, **fields)
    return ProvisionedUser.objects.create(
        connection=connection,
        person=person,
        external_id=str(resource.get("externalId") or ""),
        resource=resource,
    )


@transaction.atomic
def update_user(
    user: ProvisionedUser, resource: dict[str, Any], fields: dict[str, Any], active: bool
) -> ProvisionedUser:
    """Replace the directory's view of the account; no event when nothing changed (a
    directory re-sends the same user on every sync)."""
    person = user.person
    unchanged = resource == user.resource and not _fields_changed(person, fields)
    if unchanged and active == person.is_active:
        return user
    accounts.change_account(user.connection.acting_as, person, active=active, **fields)
    user.resource = resource
    user.external_id = str(resource.get("externalId") or "")
    user.version += 1
    user.save()
    return user


@transaction.atomic
def remove_user(user: ProvisionedUser) -> None:
    """The directory deletes the user: the account is deactivated (signed out everywhere,
    tokens revoked), its content stays, and the connection no longer manages it."""
    person = user.person
    accounts.change_account(user.connection.acting_as, person, active=False)
    ProvisionedGroup.members.through.objects.filter(person_id=person.pk).delete()
    user.delete()


def _map_group(group: ProvisionedGroup) -> None:
    if group.connection.group_target == DirectoryConnection.GroupTarget.SPACES:
        group.space = Space.objects.filter(name__iexact=group.display_name).first()
        group.department = None
    else:
        group.department, _created = Department.objects.get_or_create(name=group.display_name[:120])
        group.space = None


def _apply_members(group: ProvisionedGroup, members: list[Person], before: set[int]) -> None:
    group.members.set(members)
    after = {m.pk for m in members}
    if group.department_id is not None:
        Person.objects.filter(pk__in=after).update(department_id=group.department_id)
        Person.objects.filter(pk__in=before - after, department_id=group.department_id).update(
            department=None
        )
    if group.space_id is not None:
        known = set(
            Membership.objects.filter(space_id=group.space_id, person_id__in=after).values_list(
                "person_id", flat=True
            )
        )
        joining = after - known
        Membership.objects.bulk_create(
            [Membership(space_id=group.space_id, person_id=pk) for pk in joining]
        )
        GroupMembershipGrant.objects.bulk_create(
            [GroupMembershipGrant(group=group, person_id=pk) for pk in joining],
            ignore_conflicts=True,
        )
        # Only the memberships this group gave, and not while another group still gives them.
        granted = set(
            GroupMembershipGrant.objects.filter(
                group=group, person_id__in=before - after
            ).values_list("person_id", flat=True)
        )
        GroupMembershipGrant.objects.filter(group=group, person_id__in=granted).delete()
        still_given = set(
            GroupMembershipGrant.objects.filter(
                group__space_id=group.space_id, person_id__in=granted
            ).values_list("person_id", flat=True)
        )
        leaving = Membership.objects.filter(
            space_id=group.space_id,
            person_id__in=granted - still_given,
            role=Membership.Role.MEMBER,
            status=Membership.Status.ACTIVE,
        )
        left = leaving.delete()[0]
        Space.objects.filter(pk=group.space_id).update(
            member_count=F("member_count") + len(joining) - left
        )


def _check_name(connection: DirectoryConnection, name: str, group_pk: int | None) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid(_("a group has a display name"))
    clash = ProvisionedGroup.objects.filter(connection=connection, display_name__iexact=name)
    if group_pk is not None:
        clash = clash.exclude(pk=group_pk)
    if clash.exists():
        raise Conflict(_("a group named %(name)s exists") % {"name": name})
    return name


@transaction.atomic
def provision_group(
    connection: DirectoryConnection,
    resource: dict[str, Any],
    display_name: str,
    members: list[Person],
) -> ProvisionedGroup:
    group = ProvisionedGroup(
        connection=connection,
        display_name=_check_name(connection, display_name, None),
        external_id=str(resource.get("externalId") or ""),
        resource=resource,
    )
    _map_group(group)
    group.save()
    _apply_members(group, members, set())
    record(connection.acting_as, "changed_group", "scim_group", group.pk)
    return group


@transaction.atomic
def update_group(
    group: ProvisionedGroup, resource: dict[str, Any], display_name: str, members: list[Person]
) -> ProvisionedGroup:
    before = set(group.members.values_list("pk", flat=True))
    group.display_name = _check_name(group.connection, display_name, group.pk)
    group.external_id = str(resource.get("externalId") or "")
    group.resource = resource
    group.version += 1
    _map_group(group)
    group.save()
    _apply_members(group, members, before)
    record(group.connection.acting_as, "changed_group", "scim_group", group.pk)
    return group


@transaction.atomic
def remove_group(group: ProvisionedGroup) -> None:
    """The group goes; its members leave its department (or its space, where they are plain
    members); the department or space itself stays."""
    before = set(group.members.values_list("pk", flat=True))
    _apply_members(group, [], before)
    record(group.connection.acting_as, "changed_group", "scim_group", group.pk)
    group.delete()

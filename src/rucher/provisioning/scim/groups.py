"""``/Groups``: a connection's groups of its own users (RFC 7643 §4.2). Groups hold users only;
a member is named by the SCIM id the connection gave it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from scim2_models import (
    Context,
    Group,
    GroupMember,
    Meta,
)

from rucher.people.models import Person
from rucher.provisioning import actions
from rucher.provisioning.models import (
    DirectoryConnection,
    ProvisionedGroup,
)
from rucher.provisioning.scim.protocol import (
    ScimProblem,
    answer,
    apply_patch,
    base_url,
    created,
    dump,
    list_answer,
    new_resource,
    read_body,
    refuse_unknown,
    resource_uuid,
    scim_view,
    stored,
    validate,
)
from rucher.provisioning.scim.users import provisioned_users


def _groups(connection: DirectoryConnection) -> Any:
    return ProvisionedGroup.objects.filter(connection=connection).prefetch_related(
        "members__provisioned"
    )


def _group_out(request: HttpRequest, row: ProvisionedGroup) -> Group:
    group = Group.model_validate(row.resource, scim_ctx=Context.DEFAULT)
    group.id = str(row.scim_id)
    group.display_name = row.display_name
    base = base_url(request)
    sent = {
        str(m.get("value")): m for m in row.resource.get("members") or [] if isinstance(m, dict)
    }
    members = []
    for person in row.members.all():
        provisioned = getattr(person, "provisioned", None)
        if provisioned is None:
            continue
        members.append(
            GroupMember(
                value=str(provisioned.scim_id),
                ref=f"{base}/Users/{provisioned.scim_id}",  # type: ignore[arg-type]
                type="User",
                display=sent.get(str(provisioned.scim_id), {}).get("display")
                or person.display_name,
            )
        )
    group.members = members or None
    group.meta = Meta(
        resource_type="Group",
        created=row.created_at,
        last_modified=row.updated_at,
        location=f"{base}/Groups/{row.scim_id}",
        version=f'W/"{row.version}"',
    )
    return group


def _members(connection: DirectoryConnection, group: Group) -> list[Person]:
    ids = []
    for member in group.members or []:
        if member.type not in (None, "User"):
            raise ScimProblem(400, "groups hold users only (no nested groups)", "invalidValue")
        ids.append(resource_uuid(str(member.value or "")))
    rows = list(provisioned_users(connection).filter(scim_id__in=ids))
    if len(rows) != len(set(ids)):
        raise ScimProblem(400, "a member is not a user of this connection", "invalidValue")
    return [row.person for row in rows]


def _group_row(connection: DirectoryConnection, scim_id: str) -> ProvisionedGroup:
    row = _groups(connection).filter(scim_id=resource_uuid(scim_id)).first()
    if row is None:
        raise ScimProblem(404, f"no group {scim_id}")
    return row


@scim_view
def groups(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    if request.method == "GET":
        rows = list(_groups(connection))
        return list_answer(request, rows, lambda row: _group_out(request, row), Group)
    if request.method != "POST":
        raise ScimProblem(405, "GET or POST")
    group = new_resource(request, Group)
    row = actions.provision_group(
        connection, stored(group), group.display_name or "", _members(connection, group)
    )
    return created(_group_out(request, _group_row(connection, str(row.scim_id))))


@scim_view
def group(request: HttpRequest, connection: DirectoryConnection, scim_id: str) -> HttpResponse:
    with transaction.atomic():
        row = _group_row(connection, scim_id)
        if request.method == "GET":
            out = _group_out(request, row)
            return answer(dump(out, request, Group, Context.RESOURCE_QUERY_RESPONSE))
        if request.method == "DELETE":
            actions.remove_group(row)
            return answer(None, 204)
        body = read_body(request)
        if request.method == "PUT":
            refuse_unknown(body, Group)
            replacement = validate(Group, body, Context.RESOURCE_REPLACEMENT_REQUEST)
        elif request.method == "PATCH":
            replacement = _group_out(request, row)
            apply_patch(body, Group, replacement)
        else:
            raise ScimProblem(405, "GET, PUT, PATCH or DELETE")
        actions.update_group(
            row,
            stored(replacement),
            replacement.display_name or "",
            _members(connection, replacement),
        )
        out = _group_out(request, _group_row(connection, scim_id))
        return answer(out.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_RESPONSE))


@scim_view
def search_groups(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    if request.method != "POST":
        raise ScimProblem(405, "POST")
    rows = list(_groups(connection))
    return list_answer(request, rows, lambda row: _group_out(request, row), Group)

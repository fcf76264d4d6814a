"""``/Users``: the people a directory connection provisions (RFC 7643 §4.1, RFC 7644 §3.3–3.6).
What rucher keeps of a user is read by ``_user_fields``; the rest of the resource is stored as
the directory sent it, so that it reads back unchanged."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from scim2_models import (
    Context,
    Meta,
    User,
)

from rucher.provisioning import actions
from rucher.provisioning.models import (
    DirectoryConnection,
    ProvisionedUser,
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


def _user_fields(user: User) -> tuple[dict[str, Any], bool]:
    emails = user.emails or []
    primary = next((e for e in emails if e.primary), emails[0] if emails else None)
    fields: dict[str, Any] = {
        "username": user.user_name,
        "first_name": (user.name.given_name if user.name else None) or "",
        "last_name": (user.name.family_name if user.name else None) or "",
        "email": (primary.value if primary else None) or "",
        "job_title": user.title or "",
    }
    return fields, user.active is not False


def _user_out(request: HttpRequest, row: ProvisionedUser) -> User[Any]:
    user: User[Any] = User.model_validate(row.resource, scim_ctx=Context.DEFAULT)
    user.id = str(row.scim_id)
    # Whether the account may sign in is rucher's to say; an active account whose directory
    # never spoke of ``active`` reads back without it, as the directory wrote it.
    user.active = (
        row.person.is_active if ("active" in row.resource or not row.person.is_active) else None
    )
    user.groups = None
    user.meta = Meta(
        resource_type="User",
        created=row.created_at,
        last_modified=row.updated_at,
        location=f"{base_url(request)}/Users/{row.scim_id}",
        version=f'W/"{row.version}"',
    )
    return user


def provisioned_users(connection: DirectoryConnection) -> Any:
    return ProvisionedUser.objects.filter(connection=connection).select_related("person")


def _user_row(connection: DirectoryConnection, scim_id: str) -> ProvisionedUser:
    row = provisioned_users(connection).filter(scim_id=resource_uuid(scim_id)).first()
    if row is None:
        raise ScimProblem(404, f"no user {scim_id}")
    return row


@scim_view
def users(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    if request.method == "GET":
        rows = list(provisioned_users(connection))
        return list_answer(request, rows, lambda row: _user_out(request, row), User)
    if request.method != "POST":
        raise ScimProblem(405, "GET or POST")
    user = new_resource(request, User)
    fields, active = _user_fields(user)
    row = actions.provision_user(connection, stored(user), fields, active)
    return created(_user_out(request, row))


def _replace_user(
    request: HttpRequest, row: ProvisionedUser, user: User, status: int = 200
) -> HttpResponse:
    fields, active = _user_fields(user)
    row = actions.update_user(row, stored(user), fields, active)
    row.person.refresh_from_db(fields=["is_active"])
    out = _user_out(request, row)
    return answer(out.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_RESPONSE), status)


@scim_view
def user(request: HttpRequest, connection: DirectoryConnection, scim_id: str) -> HttpResponse:
    with transaction.atomic():
        row = _user_row(connection, scim_id)
        if request.method == "GET":
            out = _user_out(request, row)
            return answer(dump(out, request, User, Context.RESOURCE_QUERY_RESPONSE))
        if request.method == "DELETE":
            actions.remove_user(row)
            return answer(None, 204)
        body = read_body(request)
        if request.method == "PUT":
            refuse_unknown(body, User)
            replacement = validate(User, body, Context.RESOURCE_REPLACEMENT_REQUEST)
            return _replace_user(request, row, replacement)
        if request.method == "PATCH":
            current = _user_out(request, row)
            apply_patch(body, User, current)
            checked = validate(User, current.model_dump(scim_ctx=Context.DEFAULT), Context.DEFAULT)
            return _replace_user(request, row, checked)
        raise ScimProblem(405, "GET, PUT, PATCH or DELETE")


@scim_view
def search_users(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    if request.method != "POST":
        raise ScimProblem(405, "POST")
    rows = list(provisioned_users(connection))
    return list_answer(request, rows, lambda row: _user_out(request, row), User)

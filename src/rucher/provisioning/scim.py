"""SCIM 2.0 (RFC 7643, RFC 7644) at ``/scim/v2/``: the transport of provisioning.

Payloads are read and written with ``scim2-models`` (pydantic): validation, filters, PATCH
operations and the ``attributes``/``excludedAttributes`` selection are the library's. Each
request carries its connection's bearer token; a connection sees and changes only the users
and groups it provisioned. Errors are SCIM error bodies with the RFC's status and scimType.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    Group,
    GroupMember,
    ListResponse,
    Meta,
    Patch,
    PatchOp,
    ResourceType,
    Schema,
    ScimFilter,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models import Error as ScimError

from rucher.errors import ActionError
from rucher.people.models import Person
from rucher.provisioning import actions
from rucher.provisioning.models import (
    DirectoryConnection,
    ProvisionedGroup,
    ProvisionedUser,
    hash_secret,
)

CONTENT_TYPE = "application/scim+json"
MAX_RESULTS = 200  # the most resources one list answer carries (published in the config)
MAX_BODY_BYTES = 1_000_000
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


class ScimProblem(Exception):
    """An answer that is a SCIM error (RFC 7644 §3.12)."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def _answer(body: dict[str, Any] | None, status: int = 200, **headers: str) -> HttpResponse:
    content = b"" if body is None else json.dumps(body).encode()
    response = HttpResponse(content, status=status, content_type=CONTENT_TYPE)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _error(problem: ScimProblem) -> HttpResponse:
    error = ScimError(status=problem.status, scim_type=problem.scim_type, detail=problem.detail)
    return _answer(error.model_dump(), problem.status)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2")


def _connection(request: HttpRequest) -> DirectoryConnection:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ScimProblem(401, "authentication required: send 'Authorization: Bearer <token>'")
    connection = (
        DirectoryConnection.objects.select_related("acting_as")
        .filter(token_hash=hash_secret(token.strip()))
        .first()
    )
    if connection is None:
        raise ScimProblem(401, "unknown or replaced connection token")
    now = timezone.now()
    if connection.last_used_at is None or (now - connection.last_used_at).total_seconds() > 60:
        DirectoryConnection.objects.filter(pk=connection.pk).update(last_used_at=now)
    return connection


View = Callable[..., HttpResponse]
F = TypeVar("F", bound=View)


def scim_view(view: F) -> F:
    """Authenticate the connection, turn every refusal into a SCIM error body."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            connection = _connection(request)
            return view(request, connection, *args, **kwargs)
        except ScimProblem as problem:
            return _error(problem)
        except ActionError as refusal:
            scim_type = "uniqueness" if refusal.status == 409 else "invalidValue"
            status = 409 if refusal.status == 409 else 400
            return _error(ScimProblem(status, refusal.message, scim_type))

    return wrapper  # type: ignore[return-value]


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY_BYTES:
        raise ScimProblem(413, f"request body too large: at most {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ScimProblem(400, "the body is not JSON", "invalidSyntax") from None
    if not isinstance(body, dict):
        raise ScimProblem(400, "the body is a JSON object", "invalidSyntax")
    return body


def _invalid(error: ValidationError) -> ScimProblem:
    details = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())) or 'resource'}: {e.get('msg', '')}"
        for e in error.errors()
    )
    first: dict[str, Any] = dict(error.errors()[0]) if error.errors() else {}
    scim_type = (first.get("ctx") or {}).get("scim_type") or "invalidValue"
    status = int((first.get("ctx") or {}).get("status") or 400)
    return ScimProblem(status, details or "invalid resource", scim_type)


def _known_keys(model: type[User] | type[Group]) -> set[str]:
    keys = {"schemas"}
    for name, field in model.model_fields.items():
        keys.add((field.serialization_alias or field.alias or name).lower())
        keys.add(name.lower())
    return keys


def _refuse_unknown(body: dict[str, Any], model: type[User] | type[Group]) -> None:
    """RFC 7644 §3.3: a server may not silently drop what a client asked it to store."""
    unknown = sorted(k for k in body if k.lower() not in _known_keys(model))
    if unknown:
        raise ScimProblem(400, f"unknown attribute(s): {', '.join(unknown)}", "invalidSyntax")


def _validate(model: Any, body: dict[str, Any], context: Context) -> Any:
    try:
        return model.model_validate(body, scim_ctx=context)
    except ValidationError as error:
        raise _invalid(error) from None


def _stored(resource: User | Group) -> dict[str, Any]:
    """What is kept: the resource less what the server owns (id, meta) and any password."""
    data = resource.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    for key in ("id", "meta", "password", "groups"):
        data.pop(key, None)
    return data


def _paging(request: HttpRequest, model: Any) -> SearchRequest[Any]:
    params = {k: v for k, v in request.GET.items()}
    try:
        search = SearchRequest[model].model_validate(params, scim_ctx=Context.SEARCH_REQUEST)
    except ValidationError as error:
        problem = _invalid(error)
        if "filter" in str(error).lower():
            problem.scim_type = "invalidFilter"
        raise problem from None
    return search


def _query_params(request: HttpRequest, model: Any) -> SearchRequest[Any]:
    return _paging(request, model)


# ---- Users ---------------------------------------------------------------------------------


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
        location=f"{_base_url(request)}/Users/{row.scim_id}",
        version=f'W/"{row.version}"',
    )
    return user


def _users(connection: DirectoryConnection) -> Any:
    return ProvisionedUser.objects.filter(connection=connection).select_related("person")


def _user_row(connection: DirectoryConnection, scim_id: str) -> ProvisionedUser:
    row = _users(connection).filter(scim_id=_uuid(scim_id)).first()
    if row is None:
        raise ScimProblem(404, f"no user {scim_id}")
    return row


def _uuid(value: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ScimProblem(404, f"no resource {value}") from None


def _dump(resource: Any, request: HttpRequest, model: Any, context: Context) -> dict[str, Any]:
    params = _query_params(request, model) if request.method == "GET" else None
    return dict(resource.model_dump(scim_ctx=context, response_parameters=params))


def _matching(
    rows: list[Any], search: SearchRequest[Any], build: Callable[[Any], Any], model: Any
) -> list[Any]:
    built = [build(row) for row in rows]
    if not search.filter:
        return built
    try:
        condition = ScimFilter[model](str(search.filter))
        return [item for item in built if condition.match(item)]
    except ValueError as error:
        raise ScimProblem(400, f"invalid filter: {error}", "invalidFilter") from None


def _searched(request: HttpRequest, model: Any) -> SearchRequest[Any]:
    """RFC 7644 §3.4.3: POST …/.search carries the query parameters in its body."""
    if request.method == "GET":
        return _paging(request, model)
    try:
        return SearchRequest[model].model_validate(_body(request), scim_ctx=Context.SEARCH_REQUEST)
    except ValidationError as error:
        raise _invalid(error) from None


def _list(request: HttpRequest, rows: list[Any], build: Callable[[Any], Any], model: Any) -> Any:
    search = _searched(request, model)
    found = _matching(rows, search, build, model)
    start = max(search.start_index or 1, 1)
    count = MAX_RESULTS if search.count is None else max(min(search.count, MAX_RESULTS), 0)
    page = found[start - 1 : start - 1 + count]
    listing = ListResponse[model](
        total_results=len(found), start_index=start, items_per_page=len(page), resources=page
    )
    return _answer(listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search))


@scim_view
def users(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    if request.method == "GET":
        rows = list(_users(connection))
        return _list(request, rows, lambda row: _user_out(request, row), User)
    if request.method != "POST":
        raise ScimProblem(405, "GET or POST")
    body = _body(request)
    _refuse_unknown(body, User)
    user = _validate(User, body, Context.RESOURCE_CREATION_REQUEST)
    fields, active = _user_fields(user)
    row = actions.provision_user(connection, _stored(user), fields, active)
    out = _user_out(request, row)
    return _answer(
        out.model_dump(scim_ctx=Context.RESOURCE_CREATION_RESPONSE),
        201,
        Location=str(out.meta.location if out.meta else ""),
    )


def _replace_user(
    request: HttpRequest, row: ProvisionedUser, user: User, status: int = 200
) -> HttpResponse:
    fields, active = _user_fields(user)
    row = actions.update_user(row, _stored(user), fields, active)
    row.person.refresh_from_db(fields=["is_active"])
    out = _user_out(request, row)
    return _answer(out.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_RESPONSE), status)


@scim_view
def user(request: HttpRequest, connection: DirectoryConnection, scim_id: str) -> HttpResponse:
    with transaction.atomic():
        row = _user_row(connection, scim_id)
        if request.method == "GET":
            out = _user_out(request, row)
            return _answer(_dump(out, request, User, Context.RESOURCE_QUERY_RESPONSE))
        if request.method == "DELETE":
            actions.remove_user(row)
            return _answer(None, 204)
        body = _body(request)
        if request.method == "PUT":
            _refuse_unknown(body, User)
            replacement = _validate(User, body, Context.RESOURCE_REPLACEMENT_REQUEST)
            return _replace_user(request, row, replacement)
        if request.method == "PATCH":
            patch = _validate(PatchOp[User], body, Context.RESOURCE_PATCH_REQUEST)
            current = _user_out(request, row)
            try:
                patch.patch(current)
            except ValueError as error:
                raise ScimProblem(
                    400, str(error), getattr(error, "scim_type", None) or "invalidValue"
                ) from None
            checked = _validate(User, current.model_dump(scim_ctx=Context.DEFAULT), Context.DEFAULT)
            return _replace_user(request, row, checked)
        raise ScimProblem(405, "GET, PUT, PATCH or DELETE")


# ---- Groups --------------------------------------------------------------------------------


def _groups(connection: DirectoryConnection) -> Any:
    return ProvisionedGroup.objects.filter(connection=connection).prefetch_related(
        "members__provisioned"
    )


def _group_out(request: HttpRequest, row: ProvisionedGroup) -> Group:
    group = Group.model_validate(row.resource, scim_ctx=Context.DEFAULT)
    group.id = str(row.scim_id)
    group.display_name = row.display_name
    base = _base_url(request)
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
        ids.append(_uuid(str(member.value or "")))
    rows = list(_users(connection).filter(scim_id__in=ids))
    if len(rows) != len(set(ids)):
        raise ScimProblem(400, "a member is not a user of this connection", "invalidValue")
    return [row.person for row in rows]


def _group_row(connection: DirectoryConnection, scim_id: str) -> ProvisionedGroup:
    row = _groups(connection).filter(scim_id=_uuid(scim_id)).first()
    if row is None:
        raise ScimProblem(404, f"no group {scim_id}")
    return row


@scim_view
def groups(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    if request.method == "GET":
        rows = list(_groups(connection))
        return _list(request, rows, lambda row: _group_out(request, row), Group)
    if request.method != "POST":
        raise ScimProblem(405, "GET or POST")
    body = _body(request)
    _refuse_unknown(body, Group)
    group = _validate(Group, body, Context.RESOURCE_CREATION_REQUEST)
    row = actions.provision_group(
        connection, _stored(group), group.display_name or "", _members(connection, group)
    )
    out = _group_out(request, _group_row(connection, str(row.scim_id)))
    return _answer(
        out.model_dump(scim_ctx=Context.RESOURCE_CREATION_RESPONSE),
        201,
        Location=str(out.meta.location if out.meta else ""),
    )


@scim_view
def group(request: HttpRequest, connection: DirectoryConnection, scim_id: str) -> HttpResponse:
    with transaction.atomic():
        row = _group_row(connection, scim_id)
        if request.method == "GET":
            out = _group_out(request, row)
            return _answer(_dump(out, request, Group, Context.RESOURCE_QUERY_RESPONSE))
        if request.method == "DELETE":
            actions.remove_group(row)
            return _answer(None, 204)
        body = _body(request)
        if request.method == "PUT":
            _refuse_unknown(body, Group)
            replacement = _validate(Group, body, Context.RESOURCE_REPLACEMENT_REQUEST)
        elif request.method == "PATCH":
            patch = _validate(PatchOp[Group], body, Context.RESOURCE_PATCH_REQUEST)
            replacement = _group_out(request, row)
            try:
                patch.patch(replacement)
            except ValueError as error:
                raise ScimProblem(
                    400, str(error), getattr(error, "scim_type", None) or "invalidValue"
                ) from None
        else:
            raise ScimProblem(405, "GET, PUT, PATCH or DELETE")
        actions.update_group(
            row,
            _stored(replacement),
            replacement.display_name or "",
            _members(connection, replacement),
        )
        out = _group_out(request, _group_row(connection, scim_id))
        return _answer(out.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_RESPONSE))


# ---- Discovery -----------------------------------------------------------------------------


def _config(request: HttpRequest) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",  # type: ignore[arg-type]
                name="Bearer token",
                description="The directory connection's token (rucher scim token NAME)",
                primary=True,
            )
        ],
        meta=Meta(
            resource_type="ServiceProviderConfig",
            location=f"{_base_url(request)}/ServiceProviderConfig",
        ),
    )


def _resource_types(request: HttpRequest) -> list[ResourceType]:
    base = _base_url(request)
    found = []
    for model, name in ((User, "User"), (Group, "Group")):
        resource_type = ResourceType.from_resource(model)
        resource_type.meta = Meta(
            resource_type="ResourceType", location=f"{base}/ResourceTypes/{name}"
        )
        found.append(resource_type)
    return found


def _schemas(request: HttpRequest) -> list[Schema]:
    base = _base_url(request)
    found = []
    for model in (User, Group):
        schema = model.to_schema()
        schema.meta = Meta(resource_type="Schema", location=f"{base}/Schemas/{schema.id}")
        found.append(schema)
    return found


def _listing(items: list[Any], model: Any) -> HttpResponse:
    listing = ListResponse[model](
        total_results=len(items), start_index=1, items_per_page=len(items), resources=items
    )
    return _answer(listing.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _only_get(request: HttpRequest) -> None:
    if request.method != "GET":
        raise ScimProblem(405, "read only")


@scim_view
def service_provider_config(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    _only_get(request)
    return _answer(_config(request).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@scim_view
def resource_types(
    request: HttpRequest, connection: DirectoryConnection, name: str = ""
) -> HttpResponse:
    _only_get(request)
    found = _resource_types(request)
    if not name:
        return _listing(found, ResourceType)
    for item in found:
        if item.id == name:
            return _answer(item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise ScimProblem(404, f"no resource type {name}")


@scim_view
def schemas(request: HttpRequest, connection: DirectoryConnection, urn: str = "") -> HttpResponse:
    _only_get(request)
    found = _schemas(request)
    if not urn:
        return _listing(found, Schema)
    for item in found:
        if item.id == urn:
            return _answer(item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise ScimProblem(404, f"no schema {urn}")


@scim_view
def search_users(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    if request.method != "POST":
        raise ScimProblem(405, "POST")
    rows = list(_users(connection))
    return _list(request, rows, lambda row: _user_out(request, row), User)


@scim_view
def search_groups(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    if request.method != "POST":
        raise ScimProblem(405, "POST")
    rows = list(_groups(connection))
    return _list(request, rows, lambda row: _group_out(request, row), Group)


@scim_view
def search_everything(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    """RFC 7644 §3.4.3 lets a server decline a search over every resource type at once:
    directories search Users and Groups apart, which is what rucher serves."""
    raise ScimProblem(501, "search Users and Groups apart (POST /Users/.search, /Groups/.search)")


@scim_view
def not_found(request: HttpRequest, connection: DirectoryConnection, rest: str) -> HttpResponse:
    raise ScimProblem(404, f"no SCIM endpoint {rest}")


urlpatterns = [
    path("ServiceProviderConfig", service_provider_config, name="scim-config"),
    path("ResourceTypes", resource_types, name="scim-resource-types"),
    path("ResourceTypes/<str:name>", resource_types, name="scim-resource-type"),
    path("Schemas", schemas, name="scim-schemas"),
    path("Schemas/<str:urn>", schemas, name="scim-schema"),
    path("Users", users, name="scim-users"),
    path(".search", search_everything, name="scim-search"),
    path("Users/.search", search_users, name="scim-users-search"),
    path("Groups/.search", search_groups, name="scim-groups-search"),
    path("Users/<str:scim_id>", user, name="scim-user"),
    path("Groups", groups, name="scim-groups"),
    path("Groups/<str:scim_id>", group, name="scim-group"),
    re_path(r"^(?P<rest>.*)$", not_found),
]

"""The SCIM protocol's plumbing shared by every endpoint: bearer authentication of the
directory connection, JSON bodies, validation into SCIM error bodies, list answers with paging
and filters (RFC 7644 §3.4.2, §3.12)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    Context,
    Group,
    ListResponse,
    PatchOp,
    ScimFilter,
    SearchRequest,
    User,
)
from scim2_models import Error as ScimError

from rucher.errors import ActionError
from rucher.provisioning.models import (
    DirectoryConnection,
    hash_secret,
)

CONTENT_TYPE = "application/scim+json"
MAX_RESULTS = 200  # the most resources one list answer carries (published in the config)
MAX_BODY_BYTES = 1_000_000


class ScimProblem(Exception):
    """An answer that is a SCIM error (RFC 7644 §3.12)."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def answer(body: dict[str, Any] | None, status: int = 200, **headers: str) -> HttpResponse:
    content = b"" if body is None else json.dumps(body).encode()
    response = HttpResponse(content, status=status, content_type=CONTENT_TYPE)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_answer(problem: ScimProblem) -> HttpResponse:
    error = ScimError(status=problem.status, scim_type=problem.scim_type, detail=problem.detail)
    return answer(error.model_dump(), problem.status)


def base_url(request: HttpRequest) -> str:
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
            return error_answer(problem)
        except ActionError as refusal:
            scim_type = "uniqueness" if refusal.status == 409 else "invalidValue"
            status = 409 if refusal.status == 409 else 400
            return error_answer(ScimProblem(status, refusal.message, scim_type))

    return wrapper  # type: ignore[return-value]


def read_body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY_BYTES:
        raise ScimProblem(413, f"request body too large: at most {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ScimProblem(400, "the body is not JSON", "invalidSyntax") from None
    if not isinstance(body, dict):
        raise ScimProblem(400, "the body is a JSON object", "invalidSyntax")
    return body


def invalid(error: ValidationError) -> ScimProblem:
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


def refuse_unknown(body: dict[str, Any], model: type[User] | type[Group]) -> None:
    """RFC 7644 §3.3: a server may not silently drop what a client asked it to store."""
    unknown = sorted(k for k in body if k.lower() not in _known_keys(model))
    if unknown:
        raise ScimProblem(400, f"unknown attribute(s): {', '.join(unknown)}", "invalidSyntax")


def validate(model: Any, body: dict[str, Any], context: Context) -> Any:
    try:
        return model.model_validate(body, scim_ctx=context)
    except ValidationError as error:
        raise invalid(error) from None


def stored(resource: User | Group) -> dict[str, Any]:
    """What is kept: the resource less what the server owns (id, meta) and any password."""
    data = resource.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    for key in ("id", "meta", "password", "groups"):
        data.pop(key, None)
    return data


def paging(request: HttpRequest, model: Any) -> SearchRequest[Any]:
    params = {k: v for k, v in request.GET.items()}
    try:
        search = SearchRequest[model].model_validate(params, scim_ctx=Context.SEARCH_REQUEST)
    except ValidationError as error:
        problem = invalid(error)
        if "filter" in str(error).lower():
            problem.scim_type = "invalidFilter"
        raise problem from None
    return search


def resource_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ScimProblem(404, f"no resource {value}") from None


def dump(resource: Any, request: HttpRequest, model: Any, context: Context) -> dict[str, Any]:
    params = paging(request, model) if request.method == "GET" else None
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
        return paging(request, model)
    try:
        return SearchRequest[model].model_validate(
            read_body(request), scim_ctx=Context.SEARCH_REQUEST
        )
    except ValidationError as error:
        raise invalid(error) from None


def list_answer(
    request: HttpRequest, rows: list[Any], build: Callable[[Any], Any], model: Any
) -> Any:
    search = _searched(request, model)
    found = _matching(rows, search, build, model)
    start = max(search.start_index or 1, 1)
    count = MAX_RESULTS if search.count is None else max(min(search.count, MAX_RESULTS), 0)
    page = found[start - 1 : start - 1 + count]
    listing = ListResponse[model](
        total_results=len(found), start_index=start, items_per_page=len(page), resources=page
    )
    return answer(listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search))


def new_resource(request: HttpRequest, model: type[User] | type[Group]) -> Any:
    """The resource a POST asks to create, validated and with nothing left unread."""
    body = read_body(request)
    refuse_unknown(body, model)
    return validate(model, body, Context.RESOURCE_CREATION_REQUEST)


def created(resource: User[Any] | Group) -> HttpResponse:
    return answer(
        resource.model_dump(scim_ctx=Context.RESOURCE_CREATION_RESPONSE),
        201,
        Location=str(resource.meta.location if resource.meta else ""),
    )


def apply_patch(body: dict[str, Any], model: type[User] | type[Group], current: Any) -> None:
    """RFC 7644 §3.5.2: apply a PatchOp to the resource as it reads now, in place."""
    patch = validate(PatchOp[model], body, Context.RESOURCE_PATCH_REQUEST)  # type: ignore[valid-type]
    try:
        patch.patch(current)
    except ValueError as error:
        raise ScimProblem(
            400, str(error), getattr(error, "scim_type", None) or "invalidValue"
        ) from None

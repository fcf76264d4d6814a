"""What a SCIM client reads before it provisions (RFC 7644 §4): the service provider's
configuration, the resource types and their schemas; and the answers for what rucher does not
serve (a search over every type at once, unknown endpoints)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    Group,
    ListResponse,
    Meta,
    Patch,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    Sort,
    User,
)

from rucher.provisioning.models import (
    DirectoryConnection,
)
from rucher.provisioning.scim.protocol import (
    MAX_RESULTS,
    ScimProblem,
    answer,
    base_url,
    scim_view,
)


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
            location=f"{base_url(request)}/ServiceProviderConfig",
        ),
    )


def _resource_types(request: HttpRequest) -> list[ResourceType]:
    base = base_url(request)
    found = []
    for model, name in ((User, "User"), (Group, "Group")):
        resource_type = ResourceType.from_resource(model)
        resource_type.meta = Meta(
            resource_type="ResourceType", location=f"{base}/ResourceTypes/{name}"
        )
        found.append(resource_type)
    return found


def _schemas(request: HttpRequest) -> list[Schema]:
    base = base_url(request)
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
    return answer(listing.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _only_get(request: HttpRequest) -> None:
    if request.method != "GET":
        raise ScimProblem(405, "read only")


@scim_view
def service_provider_config(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    _only_get(request)
    return answer(_config(request).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


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
            return answer(item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise ScimProblem(404, f"no resource type {name}")


@scim_view
def schemas(request: HttpRequest, connection: DirectoryConnection, urn: str = "") -> HttpResponse:
    _only_get(request)
    found = _schemas(request)
    if not urn:
        return _listing(found, Schema)
    for item in found:
        if item.id == urn:
            return answer(item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise ScimProblem(404, f"no schema {urn}")


@scim_view
def search_everything(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    """RFC 7644 §3.4.3 lets a server decline a search over every resource type at once:
    directories search Users and Groups apart, which is what rucher serves."""
    raise ScimProblem(501, "search Users and Groups apart (POST /Users/.search, /Groups/.search)")


@scim_view
def not_found(request: HttpRequest, connection: DirectoryConnection, rest: str) -> HttpResponse:
    raise ScimProblem(404, f"no SCIM endpoint {rest}")

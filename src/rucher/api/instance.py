"""The one NinjaAPI of rucher: /api/v1, its OpenAPI document and its docs page."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from rucher.api import errors
from rucher.api.auth import api_auth
from rucher.api.auth import router as auth_router
from rucher.api.routers.charter import router as charter_router
from rucher.api.routers.conversations import router as conversations_router
from rucher.api.routers.discovery import router as discovery_router
from rucher.api.routers.expertise import router as expertise_router
from rucher.api.routers.messages import router as messages_router
from rucher.api.routers.moderation import router as moderation_router
from rucher.api.routers.notifications import router as notifications_router
from rucher.api.routers.people import router as people_router
from rucher.api.routers.recognition import router as recognition_router
from rucher.api.routers.search import router as search_router
from rucher.api.routers.spaces import router as spaces_router
from rucher.api.routers.streams import router as streams_router
from rucher.api.routers.webhooks import router as webhooks_router

ROUTERS = "rucher.api.routers."
Answer = tuple[str, dict[str, Any]]
ERROR: dict[str, Any] = {"$ref": "#/components/schemas/ErrorOut"}
SERVER_ERROR: dict[str, Any] = {
    "title": "ServerErrorOut",
    "type": "object",
    "properties": {"detail": {"type": "string"}, "correlation_id": {"type": "string"}},
    "required": ["detail", "correlation_id"],
}
# What any operation may answer whatever its handler does (rucher.api.errors, middleware).
COMMON: dict[str, Answer] = {
    "500": ("unexpected error: logged server-side with the correlation_id", SERVER_ERROR),
}
WITH_BODY: dict[str, Answer] = {
    "400": ("the body is not JSON", ERROR),
    "413": ("the body is over the size limit", ERROR),
    "422": ("invalid input, or an Idempotency-Key reused for another request", ERROR),
}
AUTHENTICATED: dict[str, Answer] = {"401": ("no or bad credentials", ERROR)}
WITH_PARAMETERS: dict[str, Answer] = {"422": ("invalid input", ERROR)}


class RucherAPI(NinjaAPI):
    """The OpenAPI document also lists the answers that do not come from a handler (a body
    that is not JSON, too large, unauthenticated, a server error), so clients and the
    schemathesis run know every status an operation can give."""

    def get_openapi_operation_id(self, operation: Any) -> str:
        """Operation ids are part of the contract (generated clients name methods after
        them): they keep the form they had when routers lived in each domain,
        ``rucher_<domain>_api_<function>``, whatever module the router sits in."""
        module: str = operation.view_func.__module__
        if module.startswith(ROUTERS):
            module = f"rucher.{module.removeprefix(ROUTERS)}.api"
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                extra = dict(COMMON)
                if operation.get("security"):
                    extra.update(AUTHENTICATED)
                if operation.get("parameters"):
                    extra.update(WITH_PARAMETERS)
                if operation.get("requestBody"):
                    extra.update(WITH_BODY)
                responses = operation.setdefault("responses", {})
                for status, (description, body) in extra.items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": body}},
                        },
                    )
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "ErrorOut",
            {
                "title": "ErrorOut",
                "type": "object",
                "properties": {"detail": {"title": "Detail", "type": "string"}},
                "required": ["detail"],
            },
        )
        return schema


api = RucherAPI(
    title="rucher API",
    version="1",
    description=(
        "The enterprise social network's HTTP API. Authenticate with a personal access token "
        "(`Authorization: Bearer …`, made with POST /api/v1/auth/tokens or in your settings "
        "page) or with the browser session (writes then need the `X-CSRFToken` header). "
        'Errors are `{"detail": …}`; what you may not see answers 404, never 403.'
    ),
    urls_namespace="api-v1",
    auth=api_auth(),
    openapi_url="/openapi.json",
    docs_url=None,  # the docs page lives at /api/docs (rucher.api.urls)
)
errors.install(api)
api.add_router("/auth", auth_router)
api.add_router("/", people_router)
api.add_router("/", expertise_router)
api.add_router("/spaces", spaces_router)
api.add_router("/", conversations_router)
api.add_router("/", streams_router)
api.add_router("/", moderation_router)
api.add_router("/", charter_router)
api.add_router("/", notifications_router)
api.add_router("/", messages_router)
api.add_router("/", search_router)
api.add_router("/", discovery_router)
api.add_router("/", recognition_router)

api.add_router("/", webhooks_router)

"""The one NinjaAPI of rucher: /api/v1, its OpenAPI document and its docs page."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from rucher.api import errors
from rucher.api.auth import api_auth
from rucher.api.auth import router as auth_router
from rucher.api.routers.conversations import router as conversations_router
from rucher.api.routers.people import router as people_router
from rucher.api.routers.spaces import router as spaces_router
from rucher.api.routers.streams import router as streams_router

ROUTERS = "rucher.api.routers."


class RucherAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        """Operation ids are part of the contract (generated clients name methods after
        them): they keep the form they had when routers lived in each domain,
        ``rucher_<domain>_api_<function>``, whatever module the router sits in."""
        module: str = operation.view_func.__module__
        if module.startswith(ROUTERS):
            module = f"rucher.{module.removeprefix(ROUTERS)}.api"
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")


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
api.add_router("/spaces", spaces_router)
api.add_router("/", conversations_router)
api.add_router("/", streams_router)

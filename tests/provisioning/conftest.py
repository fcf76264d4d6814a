from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def connection(make_person: Callable[..., Any]) -> tuple[Any, str]:
    """A directory connection acting for an administrator, and its raw token."""
    from rucher.provisioning.actions import create_connection

    admin = make_person("admin", username="dsi")
    return create_connection(admin, "entra")


@pytest.fixture
def scim(client: Any, connection: tuple[Any, str]) -> Callable[..., Any]:
    """``scim("post", "/Users", {...})``: a SCIM request with the connection's token."""
    import json

    def call(method: str, path: str, body: Any = None, **extra: Any) -> Any:
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {connection[1]}", **extra}
        if body is not None:
            kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
            kwargs["content_type"] = "application/scim+json"
        return getattr(client, method)(f"/scim/v2{path}", **kwargs)

    return call

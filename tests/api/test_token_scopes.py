"""Token scopes (read, write, admin) are checked on every endpoint: the walk goes through the
OpenAPI document, so a new endpoint is covered without being listed here."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from rucher.api.auth import required_scopes
from rucher.api.instance import api
from rucher.people.actions import create_token
from rucher.people.models import AccessToken

pytestmark = pytest.mark.django_db


def operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    found = []
    for route, methods in schema["paths"].items():
        for method, operation in methods.items():
            if operation.get("security"):
                found.append((method.upper(), re.sub(r"\{[^}]+\}", "1", route)))
    return sorted(found)


def call(client: Client, method: str, path: str, token: str) -> Any:
    return client.generic(
        method,
        path,
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_walk_sees_every_kind_of_endpoint() -> None:
    methods = {method for method, _path in operations()}
    assert {"GET", "POST", "DELETE"} <= methods
    assert any(path.startswith("/api/v1/webhooks") for _m, path in operations())
    assert len(operations()) > 30


@pytest.mark.parametrize(("method", "path"), operations())
def test_a_token_without_the_scope_gets_a_403_with_the_reason(
    world: dict[str, Any], method: str, path: str
) -> None:
    needed = required_scopes(method, path)
    others = [s for s in ("read", "write", "admin") if s not in needed]
    _token, raw = create_token(world["admin"], "narrow", scopes=others or ["read"])
    if not others:  # needs everything: read-only misses write or admin
        pytest.fail("no endpoint needs all three scopes")
    answer = call(Client(), method, path, raw)
    assert answer.status_code == 403, (method, path, answer.content)
    detail = answer.json()["detail"]
    assert "scope" in detail
    assert all(scope in detail for scope in needed - set(others))


@pytest.mark.parametrize(("method", "path"), operations())
def test_a_token_with_the_scope_gets_past_the_check(
    world: dict[str, Any], method: str, path: str
) -> None:
    _token, raw = create_token(world["admin"], "full", scopes=["read", "write", "admin"])
    answer = call(Client(), method, path, raw)
    assert answer.status_code != 401
    if answer.status_code == 403:
        assert "lacks the" not in answer.json()["detail"]


def test_read_only_token_reads_but_does_not_write(world: dict[str, Any]) -> None:
    _token, raw = create_token(world["alice"], "lecture", scopes=["read"])
    client = Client()
    assert call(client, "GET", "/api/v1/me", raw).status_code == 200
    refused = call(client, "POST", "/api/v1/posts", raw)
    assert refused.status_code == 403
    assert "write" in refused.json()["detail"]


def test_only_administrators_hold_the_admin_scope(world: dict[str, Any]) -> None:
    from rucher.errors import Invalid

    with pytest.raises(Invalid):
        create_token(world["alice"], "x", scopes=["read", "admin"])
    with pytest.raises(Invalid):
        create_token(world["alice"], "x", scopes=[])
    with pytest.raises(Invalid):
        create_token(world["alice"], "x", scopes=["root"])


def test_tokens_made_over_the_api_carry_their_scopes(world: dict[str, Any]) -> None:
    answer = Client().post(
        "/api/v1/auth/tokens",
        {"username": "alice", "password": "demo", "scopes": ["read"]},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["scopes"] == ["read"]
    assert AccessToken.objects.get(pk=answer.json()["id"]).scopes == "read"


def test_the_settings_page_makes_a_read_only_token(client_for: Any, world: dict[str, Any]) -> None:
    client = client_for(world["alice"])
    answer = client.post(
        "/settings/tokens/", {"name": "lecture", "lifetime": "30", "scopes": ["read"]}
    )
    assert answer.status_code == 200
    assert AccessToken.objects.get(name="lecture").scopes == "read"
    refused = client.post(
        "/settings/tokens/", {"name": "adm", "lifetime": "30", "scopes": ["admin"]}
    )
    assert refused.status_code == 422
    assert not AccessToken.objects.filter(name="adm").exists()

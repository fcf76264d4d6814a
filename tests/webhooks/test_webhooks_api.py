"""/api/v1/webhooks/…: administrators only (401 without credentials, 403 for everyone else),
the secret shown once, the delivery log by cursor, replay and ping; bad input is a 422."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rucher.activity.models import Event
from rucher.people.actions.tokens import create_token
from rucher.webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhooks"


def bearer(person: Any) -> dict[str, str]:
    """A token as its owner would make it for webhooks: with the admin scope when they may
    hold it (administrators), without it otherwise."""
    scopes = ("read", "write", "admin") if person.kind == "admin" else ("read", "write")
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(person, 'test', scopes=scopes)[1]}"}


def call(client: Client, method: str, path: str, auth: dict[str, str], body: Any = None) -> Any:
    extra: dict[str, Any] = {**auth, "HTTP_ACCEPT_LANGUAGE": "en"}
    if body is not None:
        extra.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(BASE + path, **extra)


@pytest.fixture
def admin(world: dict[str, Any]) -> dict[str, str]:
    return bearer(world["admin"])


def test_administrators_only(world: dict[str, Any]) -> None:
    client = Client()
    assert client.get(BASE + "/endpoints").status_code == 401
    assert client.post(BASE + "/endpoints", {}, content_type="application/json").status_code == 401
    for name in ("alice", "cm", "gus"):
        auth = bearer(world[name])
        listed = call(client, "get", "/endpoints", auth)
        assert listed.status_code == 403, name
        assert listed.json()["detail"]
        made = call(
            client,
            "post",
            "/endpoints",
            auth,
            {"url": "http://127.0.0.1:9/", "event_types": ["post.created"]},
        )
        assert made.status_code == 403
    assert Endpoint.objects.count() == 0


def test_create_read_update_rotate_and_delete(world: dict[str, Any], admin: dict[str, str]) -> None:
    client = Client()
    made = call(
        client,
        "post",
        "/endpoints",
        admin,
        {"url": "http://127.0.0.1:9/hook", "event_types": ["post.created", "member.joined"]},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    secret = body["secret"]
    assert secret.startswith("whsec_") and body["secret_hint"] == secret[:10] + "…"
    assert body["include_private_spaces"] is body["include_confidential"] is False
    endpoint_id = body["id"]
    listed = call(client, "get", "/endpoints", admin).json()
    assert [e["id"] for e in listed] == [endpoint_id]
    assert "secret" not in listed[0] and secret not in json.dumps(listed)
    assert "secret" not in call(client, "get", f"/endpoints/{endpoint_id}", admin).json()

    changed = call(
        client,
        "patch",
        f"/endpoints/{endpoint_id}",
        admin,
        {"description": "SI RH", "active": False},
    )
    assert changed.status_code == 200
    assert (changed.json()["description"], changed.json()["active"]) == ("SI RH", False)
    assert changed.json()["event_types"] == ["post.created", "member.joined"]

    rotated = call(client, "post", f"/endpoints/{endpoint_id}/rotate-secret", admin)
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != secret
    row = Endpoint.objects.get()
    assert row.previous_secret == secret and row.secret == rotated.json()["secret"]

    assert call(client, "delete", f"/endpoints/{endpoint_id}", admin).status_code == 204
    assert call(client, "get", f"/endpoints/{endpoint_id}", admin).status_code == 404
    verbs = list(Event.objects.filter(object_type="webhook").values_list("verb", flat=True))
    assert verbs == [
        "created_webhook",
        "changed_webhook",
        "rotated_webhook_secret",
        "deleted_webhook",
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"url": "http://example.com/hook", "event_types": ["post.created"]}, "https"),
        ({"url": "https://10.0.0.1/hook", "event_types": ["post.created"]}, "private"),
        ({"url": "https://169.254.169.254/", "event_types": ["post.created"]}, "link-local"),
        ({"url": "https://u:p@93.184.216.34/", "event_types": ["post.created"]}, "password"),
        ({"url": "http://127.0.0.1:9/", "event_types": []}, "event_types"),
        ({"url": "http://127.0.0.1:9/", "event_types": ["post.deleted"]}, "event_types"),
        (
            {"url": "http://127.0.0.1:9/", "event_types": ["post.created"], "active": "yes"},
            "active",
        ),
        ({"url": "http://127.0.0.1:9/\u0000", "event_types": ["post.created"]}, "url"),
    ],
)
def test_bad_input_is_a_422_with_a_reason(
    world: dict[str, Any], admin: dict[str, str], body: dict[str, Any], reason: str
) -> None:
    answer = call(Client(), "post", "/endpoints", admin, body)
    assert answer.status_code == 422, answer.content
    assert reason in answer.json()["detail"]
    assert Endpoint.objects.count() == 0


def test_private_address_when_allowed(world: dict[str, Any], admin: dict[str, str]) -> None:
    body = {"url": "https://10.0.0.1/hook", "event_types": ["post.created"]}
    made = call(Client(), "post", "/endpoints", admin, {**body, "allow_private_address": True})
    assert made.status_code == 201
    endpoint_id = made.json()["id"]
    refused = call(
        Client(), "patch", f"/endpoints/{endpoint_id}", admin, {"allow_private_address": False}
    )
    assert refused.status_code == 422 and "private" in refused.json()["detail"]


def test_ping_deliveries_page_and_replay(
    world: dict[str, Any], admin: dict[str, str], django_assert_num_queries: Any
) -> None:
    client = Client()
    made = call(
        client,
        "post",
        "/endpoints",
        admin,
        {"url": "http://127.0.0.1:9/", "event_types": ["post.created"]},
    )
    endpoint_id = made.json()["id"]
    for _n in range(3):
        pinged = call(client, "post", f"/endpoints/{endpoint_id}/ping", admin)
        assert pinged.status_code == 202
        assert pinged.json()["status"] == "pending" and pinged.json()["event_type"] == "ping"
    first = call(client, "get", f"/endpoints/{endpoint_id}/deliveries?limit=2", admin).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    ids = [d["id"] for d in first["items"]]
    assert ids == sorted(ids, reverse=True)
    rest = call(
        client,
        "get",
        f"/endpoints/{endpoint_id}/deliveries?limit=2&cursor={first['next_cursor']}",
        admin,
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert (
        call(client, "get", f"/endpoints/{endpoint_id}/deliveries?cursor=nope", admin).status_code
        == 422
    )
    assert (
        call(client, "get", f"/endpoints/{endpoint_id}/deliveries?status=lost", admin).status_code
        == 422
    )

    delivery_id = rest["items"][0]["id"]
    assert call(client, "post", f"/deliveries/{delivery_id}/replay", admin).status_code == 409
    Delivery.objects.filter(pk=delivery_id).update(status="gave_up", attempt_count=1)
    replayed = call(client, "post", f"/deliveries/{delivery_id}/replay", admin)
    assert replayed.status_code == 202 and replayed.json()["status"] == "pending"
    detail = call(client, "get", f"/deliveries/{delivery_id}", admin).json()
    assert detail["payload"]["type"] == "ping" and detail["attempts"] == []
    assert call(client, "get", "/deliveries/999999", admin).status_code == 404

    # A page of the log costs the same whatever its size: token, endpoint, deliveries.
    with django_assert_num_queries(3):
        call(client, "get", f"/endpoints/{endpoint_id}/deliveries?limit=1", admin)
    with django_assert_num_queries(3):
        call(client, "get", f"/endpoints/{endpoint_id}/deliveries?limit=50", admin)


def test_the_schema_and_event_types_are_served(
    world: dict[str, Any], admin: dict[str, str]
) -> None:
    schema = call(Client(), "get", "/schema", admin).json()
    assert schema["$schema"].startswith("https://json-schema.org/")
    types = call(Client(), "get", "/event-types", admin).json()
    assert {"code": "flag.raised", "label": types[-1]["label"], "available": True} in types

"""/api/v1/moderation/…: flags, the queue, decisions (one or many) and their history."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rucher.conversations import actions as conversations
from rucher.conversations.models import Content
from rucher.people.actions.tokens import create_token

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def api(person: Any) -> Client:
    _row, raw = create_token(person, "api")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def flag(client: Client, item: dict[str, Any], reason: str = "spam", text: str = "") -> Any:
    return client.post(
        "/api/v1/moderation/flags",
        {"item": item, "reason": reason, "text": text},
        content_type=JSON,
    )


def test_flag_then_queue_then_decide_then_history(world: dict[str, Any]) -> None:
    post = conversations.publish(world["bob"], world["open"], "Venez acheter")
    item = {"type": "content", "id": post.pk}
    created = flag(api(world["carol"]), item)
    assert created.status_code == 201, created.content
    assert created.json()["item"] == item
    assert flag(api(world["carol"]), item).status_code == 409
    moderator = api(world["alice"])
    queue = moderator.get("/api/v1/moderation/queue").json()
    assert queue["next"] is None
    (entry,) = queue["items"]
    assert entry["item"] == item
    assert entry["space"] == {"id": world["open"].pk, "name": "Ouvert"}
    assert entry["author"]["display_name"] == world["bob"].display_name
    assert entry["content"]["html"] == post.html
    assert [f["reason_label"] for f in entry["flags"]] == ["spam"]
    decided = moderator.post(
        "/api/v1/moderation/decisions",
        {"items": [item], "decision": "hide", "reason": "Publicité"},
        content_type=JSON,
    )
    assert decided.status_code == 201, decided.content
    assert decided.json()[0]["decision_label"] == "hide"
    again = moderator.post(
        "/api/v1/moderation/decisions",
        {"items": [item], "decision": "hide", "reason": "Encore"},
        content_type=JSON,
    )
    assert again.status_code == 409
    history = moderator.get(f"/api/v1/moderation/decisions?item=content:{post.pk}").json()
    assert [(d["decision"], d["reason"]) for d in history] == [("hide", "Publicité")]
    assert moderator.get("/api/v1/moderation/queue").json()["items"] == []


def test_bulk_decisions_in_one_call(world: dict[str, Any]) -> None:
    posts = [conversations.publish(world["bob"], world["open"], f"Pub {i}") for i in range(3)]
    carol = api(world["carol"])
    for post in posts:
        assert flag(carol, {"type": "content", "id": post.pk}).status_code == 201
    answer = api(world["cm"]).post(
        "/api/v1/moderation/decisions",
        {
            "items": [{"type": "content", "id": p.pk} for p in posts],
            "decision": "suspend",
            "reason": "Publicité répétée",
            "period": "1d",
        },
        content_type=JSON,
    )
    assert answer.status_code == 201, answer.content
    assert len(answer.json()) == 3
    refused = api(world["bob"]).post(
        "/api/v1/posts", {"space_id": world["open"].pk, "text": "Encore"}, content_type=JSON
    )
    assert refused.status_code == 403
    assert "suspended" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"reason": "rude"}, 422, "off_topic, inappropriate, sensitive_information, spam, other"),
        ({"reason": "other"}, 422, "explanation cannot be empty"),
        ({"reason": "other", "text": "x" * 1001}, 422, "at most 1000"),
        ({"item": {"type": "space", "id": 1}}, 422, "item type must be one of content, person"),
        ({"item": {"type": "content", "id": 10**12}}, 404, "content not found"),
    ],
)
def test_bad_flags_are_clear_4xx(
    world: dict[str, Any], body: dict[str, Any], status: int, detail: str
) -> None:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    payload = {"item": {"type": "content", "id": post.pk}, "reason": "spam", "text": ""} | body
    answer = api(world["bob"]).post("/api/v1/moderation/flags", payload, content_type=JSON)
    assert answer.status_code == status
    assert detail in answer.json()["detail"]


def test_bad_decisions_are_clear_4xx(world: dict[str, Any]) -> None:
    post = conversations.publish(world["bob"], world["open"], "Un message")
    flag(api(world["carol"]), {"type": "content", "id": post.pk})
    client = api(world["alice"])

    def decide(**body: Any) -> Any:
        payload = {"items": [{"type": "content", "id": post.pk}], "reason": "x"} | body
        return client.post("/api/v1/moderation/decisions", payload, content_type=JSON)

    unknown = decide(decision="ban")
    assert unknown.status_code == 422
    assert "hide, restore, delete, edit, warn, suspend, dismiss" in unknown.json()["detail"]
    assert decide(decision="hide", reason="").status_code == 422
    assert decide(decision="suspend", period="2w").status_code == 422
    assert decide(decision="hide", items=[]).status_code == 422
    gone = decide(decision="hide", items=[{"type": "content", "id": 10**12}])
    assert gone.status_code == 404
    assert client.get("/api/v1/moderation/decisions?item=nonsense").status_code == 422
    assert client.get("/api/v1/moderation/queue?cursor=zzz").status_code == 422
    assert client.get("/api/v1/moderation/queue?order=oldest").status_code == 422
    assert Content.objects.get(pk=post.pk).status == "published"


def test_operation_ids_follow_the_pattern(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {
        "rucher_moderation_api_flag",
        "rucher_moderation_api_queue",
        "rucher_moderation_api_decide",
        "rucher_moderation_api_decisions",
        "rucher_moderation_api_lift",
    } <= ids


def test_lift_a_suspension(world: dict[str, Any]) -> None:
    post = conversations.publish(world["bob"], world["open"], "Pub")
    flag(api(world["carol"]), {"type": "content", "id": post.pk})
    moderator = api(world["alice"])
    moderator.post(
        "/api/v1/moderation/decisions",
        {
            "items": [{"type": "content", "id": post.pk}],
            "decision": "suspend",
            "reason": "Pub",
            "period": "lifted",
        },
        content_type=JSON,
    )
    body = {"space_id": world["open"].pk, "person_id": world["bob"].pk, "reason": "Excuses"}
    assert (
        api(world["carol"])
        .post("/api/v1/moderation/suspensions/lift", body, content_type=JSON)
        .status_code
        == 403
    )
    secret = {"space_id": world["secret"].pk, "person_id": world["bob"].pk, "reason": "x"}
    assert (
        api(world["bob"])
        .post("/api/v1/moderation/suspensions/lift", secret, content_type=JSON)
        .status_code
        == 404
    )
    lifted = moderator.post("/api/v1/moderation/suspensions/lift", body, content_type=JSON)
    assert lifted.status_code == 204
    again = moderator.post("/api/v1/moderation/suspensions/lift", body, content_type=JSON)
    assert again.status_code == 409

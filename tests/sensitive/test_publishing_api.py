"""POST /api/v1/posts and comments, PATCH a post: sensitive data held (201, status
"held_for_review"), to confirm (422 with the findings) or refused (422)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rucher.conversations import actions
from rucher.conversations.models import Content
from rucher.people.actions.tokens import create_token

pytestmark = pytest.mark.django_db
JSON = "application/json"
IBAN = "Virement sur FR76 3000 6000 0112 3456 7890 189 merci"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def api(person: Any) -> Client:
    _row, raw = create_token(person, "api")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_an_iban_in_a_partner_space_is_held_for_review(world: dict[str, Any]) -> None:
    gus = api(world["gus"])
    answer = gus.post(
        "/api/v1/posts", {"space_id": world["partner"].pk, "text": IBAN}, content_type=JSON
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "held_for_review"
    (found,) = body["sensitive_findings"]
    assert found["kind"] == "iban" and IBAN[found["start"] : found["end"]].startswith("FR76")
    post_id = body["id"]
    assert gus.get(f"/api/v1/posts/{post_id}").status_code == 404  # the API lists published only
    assert api(world["alice"]).get(f"/api/v1/posts/{post_id}").status_code == 404
    visible = actions.publish(world["alice"], world["partner"], "Visible")
    stream = api(world["alice"]).get(f"/api/v1/streams/home?space_id={world['partner'].pk}")
    assert stream.status_code == 200, stream.content
    ids = [i["id"] for i in stream.json()["items"]]
    assert visible.pk in ids and post_id not in ids
    # a comment too
    root = actions.publish(world["alice"], world["partner"], "Le point")
    comment = gus.post(f"/api/v1/posts/{root.pk}/comments", {"text": IBAN}, content_type=JSON)
    assert comment.status_code == 201, comment.content
    assert comment.json()["status"] == "held_for_review"


def test_a_warning_needs_confirmation(world: dict[str, Any]) -> None:
    alice = api(world["alice"])
    payload = {"space_id": world["open"].pk, "text": IBAN}
    refused = alice.post("/api/v1/posts", payload, content_type=JSON)
    assert refused.status_code == 422
    body = refused.json()
    assert body["action"] == "warn"
    assert [(f["kind"], f["start"], f["end"]) for f in body["findings"]] == [
        ("iban", IBAN.index("FR76"), IBAN.index(" merci"))
    ]
    assert "IBAN" in body["findings"][0]["label"]
    assert not Content.objects.exists()
    done = alice.post("/api/v1/posts", {**payload, "confirm_sensitive": True}, content_type=JSON)
    assert done.status_code == 201 and done.json()["status"] == "published"
    post_id = done.json()["id"]
    edit = alice.patch(f"/api/v1/posts/{post_id}", {"text": IBAN + " (bis)"}, content_type=JSON)
    assert edit.status_code == 422 and edit.json()["action"] == "warn"
    edit = alice.patch(
        f"/api/v1/posts/{post_id}",
        {"text": IBAN + " (bis)", "confirm_sensitive": True},
        content_type=JSON,
    )
    assert edit.status_code == 200, edit.content


def test_a_card_number_is_refused(world: dict[str, Any]) -> None:
    refused = api(world["alice"]).post(
        "/api/v1/posts",
        {"space_id": world["open"].pk, "text": "4111 1111 1111 1111", "confirm_sensitive": True},
        content_type=JSON,
    )
    assert refused.status_code == 422
    assert refused.json()["action"] == "block"
    assert refused.json()["findings"][0]["kind"] == "card"
    assert not Content.objects.exists()

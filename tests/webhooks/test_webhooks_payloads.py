"""Every payload follows the published JSON Schema; the signature is what docs/webhooks.md
tells receivers to check."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from rucher.activity.models import Event
from rucher.conversations import actions as conversations
from rucher.moderation import actions as moderation
from rucher.moderation.queries import ItemRef
from rucher.spaces.actions import join_space
from rucher.webhooks import actions, events, payloads, signing
from rucher.webhooks.models import Delivery
from rucher.webhooks.subscriber import on_event

VALIDATOR = Draft202012Validator(payloads.json_schema(), format_checker=FormatChecker())


def test_the_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(payloads.json_schema())
    listed = set(payloads.json_schema()["properties"]["type"]["enum"])
    assert listed == {t.code for t in events.AVAILABLE} | {events.PING}


@pytest.mark.django_db
def test_every_event_type_s_payload_follows_the_schema(
    world: dict[str, Any], endpoint_for: Any
) -> None:
    endpoint = endpoint_for("http://127.0.0.1:9/hook", include_private_spaces=True)
    Event.objects.all().delete()
    alice, bob = world["alice"], world["bob"]
    post = conversations.publish(alice, world["open"], "Un **message** #budget @bob")
    conversations.publish(alice, None, "Sur mon profil")
    conversations.create_poll(alice, world["open"], "Quel jour ?", ["Lun", "Mar"])
    conversations.reply(bob, post, "Un commentaire")
    question = conversations.publish(alice, world["private"], "Qui sait ?", "question")
    answer = conversations.reply(world["carol"], question, "Moi")
    conversations.accept_answer(alice, answer)
    join_space(world["cm"], world["open"])
    moderation.flag(bob, ItemRef("content", post.pk), "spam")
    moderation.flag(alice, ItemRef("person", bob.pk), "other", "Photo de profil déplacée")
    actions.send_ping(world["admin"], endpoint.pk)
    for event in Event.objects.order_by("id"):
        on_event(event)
    bodies = [d.payload for d in Delivery.objects.order_by("id")]
    assert {b["type"] for b in bodies} == {t.code for t in events.AVAILABLE} | {events.PING}
    for body in bodies:
        VALIDATOR.validate(json.loads(json.dumps(body)))
    broken = dict(bodies[0], data={"content": {"id": "1"}})
    assert not VALIDATOR.is_valid(broken)
    flags = [b["data"] for b in bodies if b["type"] == events.FLAG_RAISED]
    assert [(f["item"]["type"], f["flag"]["reason"]) for f in flags] == [
        ("post", "spam"),
        ("person", "other"),
    ]
    assert flags[0]["space"]["id"] == world["open"].pk and flags[1]["space"] is None
    # Neither the flagger nor their text leaves rucher.
    assert "Photo de profil" not in json.dumps(flags) and "bob" not in json.dumps(flags[0])


def test_signature_verification() -> None:
    body = b'{"type":"ping"}'
    header = signing.header(["whsec_new", "whsec_old"], 1_700_000_000, body)
    assert header.startswith("t=1700000000,v1=") and header.count("v1=") == 2
    at = 1_700_000_000 + 10
    assert signing.verify("whsec_new", header, body, now=at)
    assert signing.verify("whsec_old", header, body, now=at)  # the day after a rotation
    assert not signing.verify("whsec_other", header, body, now=at)
    assert not signing.verify("whsec_new", header, body + b" ", now=at)  # tampered body
    assert not signing.verify("whsec_new", header, body, now=at + 301)  # replayed too late
    assert not signing.verify("whsec_new", "v1=abc", body, now=at)
    expected = signing.signature("whsec_new", 1_700_000_000, body)
    import hashlib
    import hmac

    assert expected == hmac.new(b"whsec_new", b"1700000000." + body, hashlib.sha256).hexdigest()


def test_the_receiver_snippet_in_the_docs_verifies_a_real_signature() -> None:
    """docs/webhooks.md shows receivers a verify(); it must accept what rucher sends."""
    import re
    import time
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
    snippet = re.search(r"```python\n(.*?)```", docs.read_text(encoding="utf-8"), re.S)
    assert snippet is not None
    namespace: dict[str, Any] = {}
    exec(snippet[1], namespace)
    body = b'{"version":1,"type":"ping"}'
    header = signing.header(["whsec_abc"], int(time.time()), body)
    assert namespace["verify"]("whsec_abc", header, body)
    assert not namespace["verify"]("whsec_abc", header, body + b"x")
    old = signing.header(["whsec_abc"], int(time.time()) - 600, body)
    assert not namespace["verify"]("whsec_abc", old, body)

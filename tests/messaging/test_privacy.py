"""Messages and personal data: a member's export holds their own messages only; the contract
export (insights, cockpit, ``rucher export``) never holds a message's words, and counts who
wrote to whom only where the organisation allows it; erasure; retention."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rucher.bulk.export import build_export
from rucher.messaging import actions, queries
from rucher.messaging.models import Message, MessageReaction, Participant
from rucher.privacy.actions import erase_person
from rucher.privacy.export import data_of
from rucher.privacy.retention import apply_all

pytestmark = pytest.mark.django_db


def conversation(world: dict[str, Any]) -> Message:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    first = actions.start_conversation(alice, [bob.pk, carol.pk], "Mot-d-Alice @bob", title="T")
    actions.send_message(bob, first.conversation_id, "Mot-de-Bob")
    actions.react_to_message(bob, first.pk, "like")
    return first


def test_my_export_holds_my_messages_and_nobody_else_s(world: dict[str, Any]) -> None:
    first = conversation(world)
    mine = data_of(world["bob"])
    assert [m["text"] for m in mine["messages"]] == ["Mot-de-Bob"]
    assert "Mot-d-Alice" not in str(mine)
    assert mine["conversations"][0]["participant_ids"] == sorted(
        [world["alice"].pk, world["bob"].pk, world["carol"].pk]
    )
    assert mine["message_reactions"] == [
        {
            "message_id": first.pk,
            "kind": "like",
            "created_at": mine["message_reactions"][0]["created_at"],
        }
    ]
    # Someone outside the conversation exports none of it.
    assert "Mot-" not in str(data_of(world["cm"]))


def test_the_contract_export_has_no_words_and_no_counts_by_default(world: dict[str, Any]) -> None:
    conversation(world)
    dataset, _ = build_export()
    assert "Mot-d" not in str(dataset.content) if dataset.content is not None else True
    verbs = (
        set(dataset.events.get_column("verb").to_list()) if dataset.events is not None else set()
    )
    assert not verbs & {"sent_message", "reacted_to_message", "messaged"}


def test_who_wrote_to_whom_is_counted_where_the_organisation_allows_it(
    world: dict[str, Any], settings: Any
) -> None:
    settings.RUCHER_MESSAGING_IN_INSIGHTS = True
    conversation(world)
    dataset, _ = build_export()
    assert dataset.events is not None
    rows = dataset.events.filter(dataset.events["verb"] == "messaged")
    pairs = sorted(zip(rows["actor_id"].to_list(), rows["target_id"].to_list(), strict=True))
    alice, bob, carol = world["alice"].pk, world["bob"].pk, world["carol"].pk
    assert pairs == sorted([(alice, bob), (alice, carol), (bob, alice), (bob, carol)])
    assert rows["object_id"].null_count() == rows.height  # not even the conversation


@pytest.mark.parametrize("mode", ["keep", "erase"])
def test_erasure(world: dict[str, Any], settings: Any, mode: str) -> None:
    """The erased member's messages stay in the others' thread, by "former member" (``keep``)
    or emptied (``erase``); mentions of them are removed; their participation, read marks and
    reactions go."""
    settings.RUCHER_ERASURE_CONTENT = mode
    first = conversation(world)
    bob = world["bob"]
    pseudonym = erase_person(world["admin"], bob, confirm="bob")
    alice_view = queries.thread(
        world["alice"], queries.get_conversation(world["alice"], first.conversation_id)
    )
    texts = [s.message.text for s in alice_view.messages]
    assert texts[1] == ("Mot-de-Bob" if mode == "keep" else "")
    assert alice_view.messages[1].message.author_id == pseudonym.pk
    assert "@bob" not in texts[0] and "/people/@bob/" not in alice_view.messages[0].message.html
    assert not Participant.objects.filter(person_id=pseudonym.pk).exists()
    assert not MessageReaction.objects.exists()
    assert {p.person_id for p in alice_view.participants} == {
        world["alice"].pk,
        world["carol"].pk,
    }


def test_retention_deletes_old_messages(world: dict[str, Any], settings: Any) -> None:
    first = conversation(world)
    Message.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=40))
    settings.RUCHER_MESSAGE_RETENTION_DAYS = 0
    assert apply_all() == 0 and Message.objects.count() == 2
    settings.RUCHER_MESSAGE_RETENTION_DAYS = 30
    assert apply_all() == 1
    assert list(Message.objects.values_list("text", flat=True)) == ["Mot-de-Bob"]
    # The conversation and what is left of it still read.
    assert queries.conversation_page(world["alice"]).items[0].snippet == "Mot-de-Bob"

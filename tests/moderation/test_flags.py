"""Flags: who may flag what (the read policy's rows), reasons, doubles and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.conversations import actions as conversations
from rucher.errors import Conflict, Invalid, NotFound
from rucher.moderation import actions
from rucher.moderation.models import Flag, FlaggedItem
from rucher.moderation.queries import ItemRef

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """The English source messages are asserted (tests/moderation/test_web.py: French)."""
    settings.LANGUAGE_CODE = "en"


def on(content: Any) -> ItemRef:
    return ItemRef("content", content.pk)


def test_a_member_flags_a_post_and_the_event_names_its_author(world: dict[str, Any]) -> None:
    post = conversations.publish(world["alice"], world["open"], "Achetez mes crêpes")
    row = actions.flag(world["bob"], on(post), "spam")
    assert row.item.content_id == post.pk
    item = FlaggedItem.objects.get(content=post)
    assert (item.flag_count, item.space_id, item.author_id) == (
        1,
        world["open"].pk,
        world["alice"].pk,
    )
    event = Event.objects.filter(verb="flagged").get()
    assert (event.actor_id, event.object_type, event.object_id, event.target_id) == (
        world["bob"].pk,
        "post",
        post.pk,
        world["alice"].pk,
    )


def test_a_second_open_flag_by_the_same_person_is_a_conflict(world: dict[str, Any]) -> None:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    actions.flag(world["bob"], on(post), "spam")
    with pytest.raises(Conflict, match="already flagged"):
        actions.flag(world["bob"], on(post), "off_topic")
    # Someone else adds to the same item; nothing half-written by the refused one.
    actions.flag(world["carol"], on(post), "off_topic")
    item = FlaggedItem.objects.get(content=post)
    assert item.flag_count == 2
    assert Flag.objects.filter(item=item).count() == 2


def test_one_cannot_flag_ones_own_content_or_profile(world: dict[str, Any]) -> None:
    post = conversations.publish(world["bob"], world["open"], "Le mien")
    with pytest.raises(Invalid):
        actions.flag(world["bob"], on(post), "spam")
    with pytest.raises(Invalid):
        actions.flag(world["bob"], ItemRef("person", world["bob"].pk), "spam")
    assert not Flag.objects.exists()


def test_what_one_cannot_see_is_not_found(world: dict[str, Any]) -> None:
    secret = conversations.publish(world["alice"], world["secret"], "Entre nous")
    private = conversations.publish(world["alice"], world["private"], "Réservé")
    for post in (secret, private):
        with pytest.raises(NotFound):
            actions.flag(world["bob"], on(post), "spam")
    with pytest.raises(NotFound):
        actions.flag(world["bob"], ItemRef("content", 999_999), "spam")
    assert not FlaggedItem.objects.exists()


def test_a_partner_guest_flags_in_their_space_only(world: dict[str, Any]) -> None:
    shared = conversations.publish(world["alice"], world["partner"], "Pour nos partenaires")
    internal = conversations.publish(world["alice"], world["open"], "Interne")
    actions.flag(world["gus"], on(shared), "inappropriate")
    with pytest.raises(NotFound):
        actions.flag(world["gus"], on(internal), "inappropriate")
    # A guest sees only the people of their spaces: bob is not one of them.
    with pytest.raises(NotFound):
        actions.flag(world["gus"], ItemRef("person", world["bob"].pk), "spam")
    actions.flag(world["gus"], ItemRef("person", world["alice"].pk), "spam")


def test_every_kind_of_content_and_profiles_can_be_flagged(world: dict[str, Any]) -> None:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    comment = conversations.reply(world["alice"], post, "Un commentaire")
    question = conversations.publish(world["alice"], world["open"], "Qui ?", "question")
    answer = conversations.reply(world["alice"], question, "Moi")
    poll = conversations.create_poll(world["alice"], world["open"], "Quand ?", ["Lun", "Mar"])
    for item in (post, comment, question, answer, poll):
        actions.flag(world["bob"], on(item), "off_topic")
    actions.flag(world["bob"], ItemRef("person", world["carol"].pk), "inappropriate")
    kinds = set(Event.objects.filter(verb="flagged").values_list("object_type", flat=True))
    assert kinds == {"post", "comment", "question", "answer", "poll", "person"}


@pytest.mark.parametrize(
    ("reason", "text", "message"),
    [
        ("rude", "", "reason must be one of off_topic, inappropriate, sensitive_information"),
        ("other", "", "cannot be empty"),
        ("other", "\u200b ", "cannot be empty"),
        ("other", "x" * 1001, "at most 1000 characters"),
        ("spam", "a\x00b", "NUL"),
        (None, "", "reason must be one of"),
    ],
)
def test_bad_input_is_refused_with_a_reason(
    world: dict[str, Any], settings: Any, reason: Any, text: str, message: str
) -> None:
    settings.LANGUAGE_CODE = "en"
    post = conversations.publish(world["alice"], world["open"], "Un message")
    with pytest.raises(Invalid, match=message):
        actions.flag(world["bob"], on(post), reason, text)
    assert not FlaggedItem.objects.exists()


def test_other_with_an_explanation_is_kept(world: dict[str, Any]) -> None:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    row = actions.flag(world["bob"], on(post), "other", "  Ce n'est pas le bon endroit  ")
    assert row.text == "Ce n'est pas le bon endroit"


def test_a_flag_after_a_decision_opens_a_new_review(world: dict[str, Any]) -> None:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    actions.flag(world["bob"], on(post), "spam")
    actions.decide(world["alice"], [on(post)], "dismiss", "Rien à redire")
    actions.flag(world["bob"], on(post), "spam")  # the earlier flag is closed: no conflict
    assert FlaggedItem.objects.filter(content=post).count() == 2
    assert FlaggedItem.objects.filter(content=post, status="open").count() == 1


def test_flagging_costs_a_fixed_number_of_queries(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    first = conversations.publish(world["alice"], world["open"], "Un")
    second = conversations.publish(world["alice"], world["open"], "Deux")
    actions.flag(world["carol"], on(second), "spam")
    # A new review: read the content, look for an open review, create it (counted), the
    # flag, the event; savepoints around the two inserts that may collide.
    with django_assert_num_queries(11):
        actions.flag(world["bob"], on(first), "spam")
    # Joining an open review: no review to create, its count moves (F()).
    with django_assert_num_queries(9):
        actions.flag(world["bob"], on(second), "spam")

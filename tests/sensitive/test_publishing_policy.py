"""Sensitive data caught before publishing, through the write door (docs/moderation.md,
"Before publishing"): block, hold, warn, and what publishes normally."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.conversations.models import Content
from rucher.conversations.sensitive import SensitiveFound
from rucher.errors import Invalid, NotFound
from rucher.moderation import actions as moderation
from rucher.moderation.held import queue_held
from rucher.moderation.models import FlaggedItem
from rucher.moderation.queries import ItemRef
from rucher.notifications.fanout import notify
from rucher.notifications.models import Notification
from rucher.streams.queries import thread

pytestmark = pytest.mark.django_db

IBAN = "Virement sur FR76 3000 6000 0112 3456 7890 189 merci"
IBAN_WRONG_KEY = "Virement sur FR76 3000 6000 0112 3456 7890 188 merci"
CARD = "Ma carte : 4111 1111 1111 1111"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def test_an_iban_in_a_partner_space_is_held(world: dict[str, Any]) -> None:
    post = actions.publish(world["alice"], world["partner"], IBAN)
    post.refresh_from_db()
    assert post.status == Content.Status.HELD
    assert post.sensitive["action"] == "hold"
    (found,) = post.sensitive["findings"]
    assert found["kind"] == "iban"
    assert IBAN[found["start"] : found["end"]].startswith("FR76")
    assert "IBAN" in found["label"]
    # Exactly one event, and it reaches nobody while the post is held.
    (event,) = Event.objects.filter(object_id=post.pk, verb="posted")
    assert notify(event) == []


def test_a_valid_iban_in_an_internal_space_needs_confirmation(world: dict[str, Any]) -> None:
    with pytest.raises(SensitiveFound) as refused:
        actions.publish(world["alice"], world["open"], IBAN)
    assert refused.value.status == 422
    assert refused.value.action == "warn"
    assert [f["kind"] for f in refused.value.findings] == ["iban"]
    assert not Content.objects.exists()
    post = actions.publish(world["alice"], world["open"], IBAN, confirm_sensitive=True)
    post.refresh_from_db()
    assert post.status == Content.Status.PUBLISHED
    assert post.sensitive["confirmed"] is True
    assert post.sensitive["findings"][0]["kind"] == "iban"


def test_a_block_rule_refuses_and_writes_nothing(world: dict[str, Any]) -> None:
    events = Event.objects.count()
    with pytest.raises(Invalid) as refused:
        actions.publish(world["alice"], world["open"], CARD, confirm_sensitive=True)
    assert refused.value.status == 422
    assert "card" in refused.value.message
    assert not Content.objects.exists()
    assert Event.objects.count() == events


def test_the_organisation_setting_changes_the_policy(world: dict[str, Any], settings: Any) -> None:
    settings.RUCHER_SENSITIVE_POLICY = {"actions": {"internal": {"iban": "block"}}}
    with pytest.raises(SensitiveFound) as refused:
        actions.publish(world["alice"], world["open"], IBAN, confirm_sensitive=True)
    assert refused.value.action == "block"
    settings.RUCHER_SENSITIVE_POLICY = {"actions": {"*": {"iban": "off"}}}
    post = actions.publish(world["alice"], world["partner"], IBAN)
    assert post.status == Content.Status.PUBLISHED and post.sensitive == {}


@pytest.mark.parametrize(
    "text",
    [
        "Réunion le 12/03/2024 à 14h30",
        "Facture n° 2024-00123, bon de commande 4500012345",
        IBAN_WRONG_KEY,
        "Appelez-moi au 06 12 34 56 78",
    ],
)
def test_look_alikes_publish_normally(world: dict[str, Any], text: str) -> None:
    for space in (world["open"], world["partner"], world["confidential"]):
        post = actions.publish(world["alice"], space, text)
        assert post.status == Content.Status.PUBLISHED
        assert post.sensitive == {}


def test_a_held_post_is_seen_by_its_author_and_the_moderators_only(
    world: dict[str, Any],
) -> None:
    root = actions.publish(world["alice"], world["partner"], "Le point de la semaine")
    held = actions.reply(world["gus"], root, IBAN)
    assert held.status == Content.Status.HELD
    root.refresh_from_db()
    assert root.comment_count == 0
    assert not Content.objects.visible_to(world["gus"]).filter(pk=held.pk).exists()
    # the thread of the content page: its author sees it, marked; the moderator too
    assert held.pk in [c.pk for c in thread(world["gus"], root, moderating=False)]
    assert held.pk in [c.pk for c in thread(world["alice"], root, moderating=True)]
    # a post held in a space: nobody else sees it
    post = actions.publish(world["gus"], world["partner"], IBAN)
    other = world["bob"]
    assert not Content.objects.visible_to(other).filter(pk=post.pk).exists()
    from rucher.conversations.queries import get_content_for_page

    with pytest.raises(NotFound):
        get_content_for_page(other, post.pk)
    assert get_content_for_page(world["gus"], post.pk).pk == post.pk
    assert get_content_for_page(world["alice"], post.pk).pk == post.pk


def test_release_from_the_queue_publishes_and_tells_the_mentioned(
    world: dict[str, Any],
) -> None:
    post = actions.publish(world["alice"], world["partner"], f"@gus {IBAN}")
    assert post.status == Content.Status.HELD
    assert not post.mentions.exists()
    assert not Event.objects.filter(verb="mentioned").exists()
    (posted,) = Event.objects.filter(object_id=post.pk, verb="posted")
    assert notify(posted) == []
    assert not Notification.objects.filter(recipient=world["gus"]).exists()
    # after commit, the held post enters the review queue (idempotent)
    assert queue_held(posted) is True
    assert queue_held(posted) is False
    (item,) = FlaggedItem.objects.filter(content=post, status="open")
    assert item.flag_count == 0
    moderation.decide(world["alice"], [ItemRef("content", post.pk)], "restore", "Fine")
    post.refresh_from_db()
    assert post.status == Content.Status.PUBLISHED
    item.refresh_from_db()
    assert item.status == "closed"
    assert list(post.mentions.values_list("username", flat=True)) == ["gus"]
    (mentioned,) = Event.objects.filter(verb="mentioned", object_id=post.pk)
    assert mentioned.actor_id == world["alice"].pk
    notify(mentioned)
    assert Notification.objects.filter(recipient=world["gus"], kind="mention").exists()
    assert Content.objects.visible_to(world["gus"]).filter(pk=post.pk).exists()


def test_delete_from_the_queue_removes_a_held_post(world: dict[str, Any]) -> None:
    post = actions.publish(world["gus"], world["partner"], IBAN)
    queue_held(Event.objects.get(object_id=post.pk, verb="posted"))
    moderation.decide(world["alice"], [ItemRef("content", post.pk)], "delete", "IBAN")
    post.refresh_from_db()
    assert post.status == Content.Status.DELETED


def test_an_edit_adding_an_iban_in_a_partner_space_holds_it(world: dict[str, Any]) -> None:
    post = actions.publish(world["gus"], world["partner"], "Bonjour")
    actions.edit(world["gus"], post, IBAN)
    post.refresh_from_db()
    assert post.status == Content.Status.HELD
    assert post.sensitive["findings"][0]["kind"] == "iban"
    with pytest.raises(SensitiveFound):
        actions.edit(world["alice"], actions.publish(world["alice"], None, "Salut"), IBAN)


def test_the_check_adds_no_query(world: dict[str, Any], django_assert_num_queries: Any) -> None:
    """The detectors are pure: a confirmed warning costs what a plain post costs (the
    author's row, the content, the event, plus SAVEPOINT and RELEASE in the test's
    transaction); a held post the same (its mentions wait for the release); a refusal
    stops after the author's row."""
    alice = world["alice"]
    # The first write of the request also reads the charter gate (rucher.charter; one query,
    # remembered on the person for the writes that follow).
    with django_assert_num_queries(6):
        actions.publish(alice, world["open"], "Bonjour à tous")
    with django_assert_num_queries(5):
        actions.publish(alice, world["open"], IBAN, confirm_sensitive=True)
    with django_assert_num_queries(5):
        actions.publish(alice, world["partner"], f"@gus {IBAN}")
    with pytest.raises(SensitiveFound), django_assert_num_queries(3):
        actions.publish(alice, world["open"], CARD)

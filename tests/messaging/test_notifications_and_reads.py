"""Direct messages in the notification centre (who wrote, never what), and the read paths'
pinned costs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from rucher.activity.models import Event
from rucher.messaging import actions, queries, reading
from rucher.notifications import inbox
from rucher.notifications import queries as notification_queries
from rucher.notifications.messages import notify
from rucher.notifications.models import Notification
from rucher.notifications.preferences import set_kind_channel
from rucher.streams import actions as stream_actions

pytestmark = pytest.mark.django_db


def fan_out() -> list[int]:
    ids: list[int] = []
    for event in Event.objects.filter(verb="sent_message").order_by("id"):
        ids += notify(event)
    return ids


def texts(person: Any, language: str = "en") -> list[str]:
    with translation.override(language):
        return [s.text for s in notification_queries.page(person).items]


def test_the_others_are_told_who_wrote_grouped_while_unread(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    first = actions.start_conversation(alice, [bob.pk], "Secret-de-Polichinelle")
    actions.send_message(alice, first.conversation_id, "Encore un")
    fan_out()
    fan_out()  # a retried task tells nobody twice
    [row] = Notification.objects.filter(recipient=bob)
    assert (row.kind, row.subject, row.channel) == (
        "direct_message",
        f"conversation:{first.conversation_id}",
        "app",
    )
    assert not Notification.objects.filter(recipient=alice).exists()  # never the author
    assert texts(bob) == ["Alice Test wrote to you"]
    assert texts(bob, "fr") == ["Alice Test vous a écrit"]
    [shown] = notification_queries.page(bob).items
    assert shown.url == f"/messages/{first.conversation_id}/"
    assert "Polichinelle" not in str(shown.subject.title) + shown.text
    assert notification_queries.unread_count(bob) == 1
    inbox.mark_subject_read(bob, f"conversation:{first.conversation_id}")
    assert notification_queries.unread_count(bob) == 0


def test_groups_mutes_and_channels(world: dict[str, Any]) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    message = actions.start_conversation(alice, [bob.pk, carol.pk], "Réunion", title="Projet X")
    stream_actions.mute(carol, "person", alice.pk)
    set_kind_channel(bob, "direct_message", "off")
    fan_out()
    assert not Notification.objects.exists()
    set_kind_channel(bob, "direct_message", "app")
    actions.send_message(alice, message.conversation_id, "Demain 10 h")
    fan_out()
    assert texts(bob) == ["Alice Test wrote in “Projet X”"]
    untitled = actions.start_conversation(bob, [alice.pk, carol.pk], "Sans titre")
    fan_out()
    assert texts(alice)[0] == "Bob Test wrote in a group conversation"
    assert untitled.conversation_id


def test_a_notification_is_shown_only_to_participants(world: dict[str, Any]) -> None:
    """The read policy checked again when shown: a row whose recipient is not (or no longer)
    in the conversation is not listed."""
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    message = actions.start_conversation(alice, [bob.pk], "Bonjour")
    fan_out()
    Notification.objects.filter(recipient=bob).update(recipient=carol)
    assert notification_queries.page(carol).items == []
    assert notification_queries.unread_count(carol) == 0
    assert message.pk


def test_the_list_costs_three_queries_whatever_its_size(
    world: dict[str, Any], make_person: Callable[..., Any], django_assert_num_queries: Any
) -> None:
    alice = world["alice"]
    for n in range(6):
        people = [make_person().pk for _ in range(1 + n % 3)]
        actions.start_conversation(alice, people, f"Message {n}")
    with django_assert_num_queries(3):
        page = queries.conversation_page(alice)
    assert len(page.items) == 6
    with django_assert_num_queries(1):
        queries.unread_total(alice)


def test_a_thread_costs_four_queries_whatever_its_length(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    first = actions.start_conversation(alice, [bob.pk, carol.pk], "Un", title="Trio")
    for n in range(12):
        actions.send_message(bob if n % 2 else carol, first.conversation_id, f"Message {n}")
        actions.react_to_message(alice, first.pk, "like")
    last = actions.send_message(alice, first.conversation_id, "Merci à vous deux")
    reading.mark_read(bob, first.conversation_id)  # carol's mark stays on her own message
    conversation = queries.get_conversation(alice, first.conversation_id)
    with django_assert_num_queries(4):
        found = queries.thread(alice, conversation, limit=5)
        seen = [(s.message.pk, p.username) for s in found.messages for p in s.read_by]
    assert seen == [(last.pk, "bob")]
    assert len(found.messages) == 5 and found.earlier_cursor
    older = queries.thread(alice, conversation, found.earlier_cursor, limit=50)
    assert older.messages[0].message.pk == first.pk
    assert older.messages[0].my_reaction == "like"

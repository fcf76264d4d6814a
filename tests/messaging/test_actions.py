"""Direct messages: who may write to whom, the bad inputs and their reasons, one event per
action with no words in it, mentions, files, reactions and read marks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rucher.activity.models import Event
from rucher.errors import Forbidden, Invalid, NotFound
from rucher.messaging import actions, queries, reading
from rucher.messaging.models import Conversation, Message, MessageReaction, Participant

pytestmark = pytest.mark.django_db


def test_a_one_to_one_is_written_read_and_counted(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    first = actions.start_conversation(alice, [bob.pk], "Bonjour **Bob**")
    assert first.html == "<p>Bonjour <strong>Bob</strong></p>\n"
    conversation = first.conversation
    assert sorted(
        Participant.objects.filter(conversation=conversation).values_list("person_id", flat=True)
    ) == sorted([alice.pk, bob.pk])
    event = Event.objects.order_by("-id").first()
    assert event is not None
    assert (event.verb, event.object_type, event.object_id, event.target_id, event.value) == (
        "sent_message",
        "conversation",
        conversation.pk,
        bob.pk,
        1.0,
    )
    # A second "new conversation" between the same two goes on in the same one.
    again = actions.start_conversation(bob, [alice.pk], "Salut Alice")
    assert again.conversation_id == conversation.pk
    assert Conversation.objects.count() == 1
    # Writing moves one's own read mark: bob has read everything up to his answer.
    assert queries.unread_total(alice) == 1 and queries.unread_total(bob) == 0
    [row] = queries.conversation_page(alice).items
    assert (row.unread, row.name, row.last.pk if row.last else None) == (
        1,
        "Bob Test",
        again.pk,
    )
    reading.mark_read(alice, conversation.pk)
    assert queries.unread_total(alice) == 0
    assert queries.conversation_page(alice).items[0].unread == 0


def test_a_group_of_up_to_twenty(world: dict[str, Any], make_person: Callable[..., Any]) -> None:
    alice = world["alice"]
    others = [make_person() for _ in range(19)]
    message = actions.start_conversation(
        alice, [p.pk for p in others], "Tout le monde", title="Équipe"
    )
    assert message.conversation.participants.count() == 20
    event = Event.objects.order_by("-id").first()
    assert event is not None and event.target_id is None and event.value == 19.0
    # Titled: a new conversation even for two people.
    titled = actions.start_conversation(alice, [others[0].pk], "Sujet à part", title="Projet")
    assert titled.conversation_id != message.conversation_id
    with pytest.raises(Invalid, match="au plus 20 personnes"):
        actions.start_conversation(alice, [p.pk for p in others] + [make_person().pk], "Un de trop")


@pytest.mark.parametrize(
    ("participants", "text", "reason"),
    [
        ([], "Bonjour", "at least one person"),
        ("bob", "Bonjour", "must be a list"),
        ([True], "Bonjour", "positive whole numbers"),
        ([-3], "Bonjour", "positive whole numbers"),
        (None, "   ", "cannot be empty"),
        (None, "\u200b", "cannot be empty"),
        (None, "x" * 10_001, "at most 10000 characters"),
        (None, "a\x00b", "message"),
    ],
)
def test_bad_input_is_refused_with_a_reason(
    world: dict[str, Any], participants: Any, text: str, reason: str, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    people = [world["bob"].pk] if participants is None else participants
    with pytest.raises(Invalid, match=reason):
        actions.start_conversation(world["alice"], people, text)
    assert not Message.objects.exists() and not Event.objects.filter(verb="sent_message").exists()


def test_only_people_who_may_see_each_other(world: dict[str, Any], make_person: Any) -> None:
    """A partner guest writes only with the people of their spaces, and nobody writes to a
    guest who may not see them (the directory's rule, both ways)."""
    alice, bob, gus = world["alice"], world["bob"], world["gus"]
    outsider = make_person("partner", username="outsider")  # in no space
    # gus shares the partner space with alice (its owner): both ways allowed.
    assert actions.start_conversation(gus, [alice.pk], "Bonjour Alice").pk
    assert actions.start_conversation(alice, [gus.pk], "Bonjour Gus").pk
    # bob is in no space with gus: gus may not see him (404, as if he did not exist) ...
    with pytest.raises(NotFound):
        actions.start_conversation(gus, [bob.pk], "Bonjour Bob")
    # ... and bob, who sees every account, may not write to a guest who cannot see him (403).
    with pytest.raises(Forbidden, match="invité partenaire"):
        actions.start_conversation(bob, [gus.pk], "Bonjour Gus")
    # Nor put him in a group with people he cannot see.
    with pytest.raises(Forbidden):
        actions.start_conversation(alice, [gus.pk, bob.pk], "Tous les trois")
    with pytest.raises(NotFound):
        actions.start_conversation(outsider, [alice.pk], "Bonjour")
    inactive = make_person(username="parti")
    inactive.is_active = False
    inactive.save()
    with pytest.raises(NotFound):
        actions.start_conversation(alice, [inactive.pk], "Tu es là ?")


def test_only_participants_read_write_and_react(world: dict[str, Any]) -> None:
    alice, bob, carol, admin = world["alice"], world["bob"], world["carol"], world["admin"]
    message = actions.start_conversation(alice, [bob.pk], "Entre nous")
    conversation_id = message.conversation_id
    for outsider in (carol, admin):
        with pytest.raises(NotFound):
            queries.get_conversation(outsider, conversation_id)
        with pytest.raises(NotFound):
            actions.send_message(outsider, conversation_id, "Je m'invite")
        with pytest.raises(NotFound):
            actions.react_to_message(outsider, message.pk, "like")
        with pytest.raises(NotFound):
            reading.mark_read(outsider, conversation_id)
        assert queries.conversation_page(outsider).items == []
    with pytest.raises(NotFound):
        queries.get_conversation(bob, 2**70)


def test_a_guest_who_left_the_shared_space_can_no_longer_write(world: dict[str, Any]) -> None:
    from rucher.spaces.actions import leave_space

    alice, gus = world["alice"], world["gus"]
    message = actions.start_conversation(alice, [gus.pk], "Bonjour Gus")
    leave_space(gus, world["partner"])
    with pytest.raises(Forbidden):
        actions.send_message(alice, message.conversation_id, "Encore là ?")
    # What was said stays readable by its participants.
    assert queries.get_conversation(gus, message.conversation_id)


def test_mentions_link_participants_only(world: dict[str, Any], make_person: Any) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    message = actions.start_conversation(
        alice, [bob.pk, carol.pk], "Merci @bob, et @cm n'est pas là", title="Trio"
    )
    assert list(message.mentions.values_list("username", flat=True)) == ["bob"]
    assert 'href="/people/@bob/"' in message.html
    assert "/people/@cm/" not in message.html


def test_markdown_is_sanitised(world: dict[str, Any]) -> None:
    message = actions.start_conversation(
        world["alice"], [world["bob"].pk], "<script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert "<script" not in message.html and 'href="javascript' not in message.html
    assert "&lt;script&gt;" in message.html


def test_files_are_checked_and_sent(world: dict[str, Any], settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.LANGUAGE_CODE = "en"
    note = SimpleUploadedFile("note.txt", b"Bonjour", content_type="text/plain")
    message = actions.start_conversation(
        world["alice"], [world["bob"].pk], "Le compte rendu", files=[note]
    )
    [attachment] = message.attachments.all()
    assert (attachment.name, attachment.size) == ("note.txt", 7)
    fake = SimpleUploadedFile("photo.png", b"pas une image", content_type="image/png")
    with pytest.raises(Invalid, match="does not match"):
        actions.send_message(world["bob"], message.conversation_id, "Photo", files=[fake])
    assert Message.objects.count() == 1


def test_reactions_are_counted_and_taken_back(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    message = actions.start_conversation(alice, [bob.pk], "Bonne nouvelle")
    actions.react_to_message(bob, message.pk, "celebrate")
    actions.react_to_message(bob, message.pk, "like")  # replaces
    message.refresh_from_db()
    assert message.reaction_counts == {"like": 1}
    event = Event.objects.order_by("-id").first()
    assert event is not None
    assert (event.verb, event.object_id, event.target_id) == (
        "reacted_to_message",
        message.pk,
        alice.pk,
    )
    with pytest.raises(Invalid):
        actions.react_to_message(bob, message.pk, "angry")
    actions.unreact_to_message(bob, message.pk)
    message.refresh_from_db()
    assert message.reaction_counts == {} and not MessageReaction.objects.exists()
    with pytest.raises(NotFound):
        actions.unreact_to_message(bob, message.pk)


def test_read_marks_show_who_has_read_up_to_where(world: dict[str, Any]) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    first = actions.start_conversation(alice, [bob.pk, carol.pk], "Un", title="Trio")
    second = actions.send_message(alice, first.conversation_id, "Deux")
    reading.mark_read(bob, first.conversation_id)
    conversation = queries.get_conversation(alice, first.conversation_id)
    shown = queries.thread(alice, conversation)
    assert [s.message.pk for s in shown.messages] == [first.pk, second.pk]
    assert [p.username for p in shown.messages[1].read_by] == ["bob"]
    assert shown.messages[0].read_by == []  # carol read nothing yet
    # A read mark never moves back.
    Participant.objects.filter(person=bob).update(last_read_id=second.pk + 10)
    reading.mark_read(bob, first.conversation_id)
    assert Participant.objects.get(person=bob).last_read_id == second.pk + 10


def test_events_carry_no_words(world: dict[str, Any]) -> None:
    actions.start_conversation(world["alice"], [world["bob"].pk], "Mot-de-passe-secret")
    for row in Event.objects.values():
        assert "Mot-de-passe-secret" not in str(row)

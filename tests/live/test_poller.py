"""The poller: one range read per tick, a constant number of queries for any number of
connections, catching up a resuming connection once, and the gaps PostgreSQL leaves."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.live.audience import NewItem
from rucher.live.poller import Listener, Poller
from rucher.messaging import actions as messaging


@pytest.mark.django_db
def test_a_tick_costs_the_same_for_3_or_30_connections(
    world: dict[str, Any], make_person: Any, notification_row: Any, django_assert_num_queries: Any
) -> None:
    many = [make_person(username=f"p{i}") for i in range(27)]
    few = [Listener(k, world[n].pk) for k, n in enumerate(("alice", "bob", "carol"))]
    lots = few + [Listener(100 + i, p.pk) for i, p in enumerate(many)]
    for listeners in (few, lots):
        poller = Poller()
        poller.tick(listeners)  # the watermark, and the bell's count of each newcomer
        # Quiet tick: the events after the watermark, the unread rows of everybody.
        with django_assert_num_queries(2):
            poller.tick(listeners)
    # A notification: the bell's count again for its recipient only (+ the person, the count).
    notification_row(world["bob"], actions.publish(world["alice"], world["open"], "@bob"))
    poller.tick(lots)  # (the post)
    notification_row(world["bob"], actions.publish(world["alice"], world["open"], "@bob again"))
    poller.tick(lots)
    about_carol = actions.publish(world["alice"], world["open"], "@carol")
    poller.tick(lots)
    notification_row(world["carol"], about_carol, read=True)
    with django_assert_num_queries(2):  # a read row changes no count
        tick = poller.tick(lots)
    assert tick.unread[world["bob"].pk] == 2
    actions.publish(world["alice"], world["open"], "one")
    # A post: + contents, topics, space, its readers, memberships, follows, mutes.
    with django_assert_num_queries(9):
        tick = poller.tick(lots)
    assert set(tick.new_posts) == {0, 1}  # alice (the author) and bob (a member)


@pytest.mark.django_db
def test_a_resuming_connection_gets_what_it_missed_once(world: dict[str, Any]) -> None:
    poller = Poller()
    poller.tick([])
    before = poller.watermark
    assert before is not None
    actions.publish(world["alice"], world["open"], "while bob was away")
    poller.tick([])  # nobody listening: the watermark moves past it
    actions.publish(world["alice"], world["secret"], "bob may not know")
    resumed = poller.tick([Listener(1, world["bob"].pk, resume_after=before)])
    assert resumed.new_posts == {1: 1}
    again = poller.tick([Listener(1, world["bob"].pk)])
    assert again.new_posts == {}


@pytest.mark.django_db
def test_gaps_are_asked_for_again_then_forgotten(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    poller = Poller()
    poller.watermark = 10
    fresh = poller._advance([NewItem(11, "posted", 1), NewItem(14, "posted", 2)])
    assert [i.event_id for i in fresh] == [11, 14]
    assert set(poller.gaps) == {12, 13}
    # 13 commits late: it is read (once), then it is no longer a gap.
    fresh = poller._advance([NewItem(13, "commented", 3), NewItem(15, "viewed", 0)])
    assert [i.event_id for i in fresh] == [13]  # viewed is not news
    assert set(poller.gaps) == {12}
    assert poller.watermark == 15
    # A gap never filled (a rolled-back insert on PostgreSQL) is forgotten after a while.
    monkeypatch.setattr("rucher.live.poller.GAP_SECONDS", -1.0)
    poller._advance([])
    assert poller.gaps == {}


@pytest.mark.django_db
def test_the_read_asks_for_the_gaps(world: dict[str, Any]) -> None:
    actions.publish(world["alice"], world["open"], "one")
    newest = Event.objects.order_by("-id").first()
    assert newest is not None
    poller = Poller()
    poller.watermark = newest.pk
    poller.gaps = {newest.pk: 1e18}  # as if it had been skipped earlier
    assert [i.event_id for i in poller._read(newest.pk)] == [newest.pk]


@pytest.mark.django_db
def test_a_direct_message_reaches_the_participants_on_its_page_only(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    first = messaging.start_conversation(alice, [bob.pk], "Bonjour Bob")
    conversation = first.conversation_id
    other = messaging.start_conversation(alice, [carol.pk], "Bonjour Carol").conversation_id
    listeners = [
        Listener(1, bob.pk, conversation=conversation),  # bob, on the conversation's page
        Listener(2, bob.pk),  # bob, on another page
        Listener(3, alice.pk, conversation=conversation),  # the author's other tab
        # carol asks for a conversation she is not in (the endpoint refuses her; the poller
        # must not tell her either), and watches her own.
        Listener(4, carol.pk, conversation=conversation),
        Listener(5, carol.pk, conversation=other),
    ]
    poller = Poller()
    poller.tick(listeners)
    messaging.send_message(bob, conversation, "Salut Alice")
    messaging.send_message(alice, conversation, "Ça va ?")
    # The events, the participants of the conversations with news, the unread rows.
    with django_assert_num_queries(3):
        tick = poller.tick(listeners)
    assert tick.new_messages == {1: 2, 3: 2}
    assert poller.tick(listeners).new_messages == {}
    # A page opened again after a while (Last-Event-ID) is told what it missed, once.
    before = poller.watermark
    messaging.send_message(alice, conversation, "Tu es là ?")
    poller.tick([])
    resumed = poller.tick([Listener(1, bob.pk, resume_after=before, conversation=conversation)])
    assert resumed.new_messages == {1: 1}

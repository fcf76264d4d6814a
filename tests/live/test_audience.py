"""Who is told of a new post or reply: the read policy and the home stream's rules, batched."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.conversations.models import Content
from rucher.live.audience import LIVE_VERBS, NewItem, home_audience, reply_audience, unread_counts
from rucher.streams import actions as stream_actions
from rucher.streams import queries
from rucher.streams.models import Follow

PEOPLE = ("alice", "bob", "carol", "gus", "cm", "admin")


def items_of(*contents: Content) -> list[NewItem]:
    """The events the poller would read for these contents (their creation events)."""
    found = []
    for content in contents:
        if content.shared_from_id:
            event = Event.objects.get(
                object_id=content.shared_from_id, verb="shared", actor_id=content.author_id
            )
        else:
            event = Event.objects.get(object_id=content.pk, verb__in=LIVE_VERBS)
        found.append(
            NewItem(event.pk, event.verb, event.object_id or 0, event.actor_id, event.space_id)
        )
    return found


def ids(world: dict[str, Any], *names: str) -> list[int]:
    return [world[name].pk for name in names]


@pytest.mark.django_db
def test_a_secret_post_reaches_only_the_secret_space_members(world: dict[str, Any]) -> None:
    post = actions.publish(world["alice"], world["secret"], "secret plans")
    audience = home_audience(items_of(post), ids(world, *PEOPLE))
    assert set(audience) == {world["alice"].pk, world["carol"].pk}


@pytest.mark.django_db
def test_partner_guests_hear_of_their_partner_space_only(world: dict[str, Any]) -> None:
    partner = actions.publish(world["alice"], world["partner"], "for partners")
    internal = actions.publish(world["alice"], world["open"], "for employees")
    profile = actions.publish(world["bob"], None, "on my profile")
    audience = home_audience(items_of(partner, internal, profile), ids(world, *PEOPLE))
    gus = world["gus"].pk
    assert audience[gus] == [items_of(partner)[0].event_id]
    # A guest following bob (a row made by hand: he may not see bob) never hears of bob's
    # profile posts.
    Follow.objects.create(follower=world["gus"], target_type="person", target_id=world["bob"].pk)
    assert gus not in home_audience(items_of(profile), [gus])


@pytest.mark.django_db
def test_the_count_matches_the_home_stream_for_everybody(world: dict[str, Any]) -> None:
    """Follows, mutes and hidden tags: a post is pushed to exactly the people whose home
    stream shows it (so "N new posts" never counts what the stream would not show)."""
    alice, bob, carol, cm = world["alice"], world["bob"], world["carol"], world["cm"]
    stream_actions.follow(cm, "space", world["open"].pk)
    stream_actions.follow(carol, "person", bob.pk)
    stream_actions.follow(cm, "topic", "cafe")
    stream_actions.mute(bob, "person", alice.pk)
    stream_actions.hide_tag(carol, "pub")
    since = timezone.now() - timedelta(seconds=1)
    posts = [
        actions.publish(alice, world["open"], "open post"),
        actions.publish(bob, world["open"], "[pub] advert"),
        actions.publish(bob, None, "profile post #cafe"),
        actions.publish(alice, world["private"], "private post"),
        actions.publish(alice, world["secret"], "secret post"),
        actions.publish(alice, world["partner"], "partner post"),
        actions.publish(alice, world["confidential"], "confidential post"),
        actions.share(bob, actions.publish(alice, world["open"], "to share"), world["open"]),
    ]
    actions.reply(bob, posts[0], "a reply is not a new post")
    events = items_of(*posts)
    audience = home_audience(events, ids(world, *PEOPLE))
    event_of = {post.pk: item.event_id for post, item in zip(posts, events, strict=True)}
    for name in PEOPLE:
        person = world[name]
        shown = {
            item.pk
            for item in queries.build_home(person, limit=100).items
            if item.created_at >= since and item.pk in event_of
        }
        pushed = {pk for pk, event in event_of.items() if event in audience.get(person.pk, [])}
        assert pushed == shown, name


@pytest.mark.django_db
def test_one_batch_costs_the_same_for_many_people(
    world: dict[str, Any], make_person: Any, django_assert_num_queries: Any
) -> None:
    many = [make_person(username=f"p{i}") for i in range(30)]
    posts = [
        actions.publish(world["alice"], world["open"], "one"),
        actions.publish(world["alice"], world["open"], "two #cafe"),
    ]
    events = items_of(*posts)
    # contents, topics, the space, its readers, memberships, follows, mutes (no tag prefix)
    with django_assert_num_queries(7):
        home_audience(events, ids(world, *PEOPLE))
    with django_assert_num_queries(7):
        home_audience(events, [*ids(world, *PEOPLE), *(p.pk for p in many)])


@pytest.mark.django_db
def test_replies_reach_watchers_who_may_read_the_conversation(world: dict[str, Any]) -> None:
    alice, carol, bob = world["alice"], world["carol"], world["bob"]
    secret = actions.publish(alice, world["secret"], "secret thread")
    reply = actions.reply(carol, secret, "secret reply")
    found = reply_audience(items_of(reply), {secret.pk: [alice.pk, carol.pk, bob.pk]})
    # bob could only watch it by guessing the id: he is never told.
    assert set(found[secret.pk]) == {alice.pk, carol.pk}
    other = actions.publish(alice, world["open"], "another thread")
    assert reply_audience(items_of(reply), {other.pk: [bob.pk]}) == {}


@pytest.mark.django_db
def test_unread_counts_in_one_query(
    world: dict[str, Any], notification_row: Any, django_assert_num_queries: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    for n, read in ((1, False), (2, False), (3, True)):
        notification_row(alice, actions.publish(bob, world["open"], f"post {n}"), read)
    with django_assert_num_queries(1):
        assert unread_counts([alice.pk, bob.pk]) == {alice.pk: 2, bob.pk: 0}


def test_the_author_and_moderators_of_a_hidden_post_may_still_watch_its_replies(
    world: dict[str, Any],
) -> None:
    from rucher.conversations import actions as conversations
    from rucher.live.audience import may_watch
    from rucher.moderation import actions as moderation
    from rucher.moderation.queries import ItemRef

    post = conversations.publish(world["bob"], world["open"], "Un message")
    reply = conversations.reply(world["alice"], post, "Une réponse")
    assert may_watch(world["bob"], post.pk) and not may_watch(world["gus"], post.pk)
    assert not may_watch(world["bob"], reply.pk), "only conversations, not replies"
    moderation.flag(world["alice"], ItemRef("content", post.pk), "spam")
    moderation.decide(world["alice"], [ItemRef("content", post.pk)], "hide", "Publicité")
    assert may_watch(world["bob"], post.pk), "its author"
    assert may_watch(world["alice"], post.pk), "its moderator"
    assert not may_watch(world["gus"], post.pk)

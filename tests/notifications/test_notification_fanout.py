"""Each kind produced from a real action, grouping, dedupe, self-actions, mutes, channels and
the read policy at creation; the fan-out's cost is pinned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.notifications import preferences, queries
from rucher.notifications.fanout import notify
from rucher.notifications.models import Notification, NotificationActor, NotificationEvent
from rucher.spaces import actions as space_actions
from rucher.spaces.models import Membership
from rucher.streams import actions as stream_actions

FanOut = Callable[[], list[int]]


def rows_of(person: Any, kind: str | None = None) -> list[Notification]:
    found = Notification.objects.filter(recipient=person).order_by("id")
    return list(found.filter(kind=kind) if kind else found)


def text_of(person: Any, language: str = "en") -> list[str]:
    with translation.override(language):
        return [shown.text for shown in queries.page(person).items]


def test_a_mention_tells_the_person_mentioned(world: dict[str, Any], fan_out: FanOut) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Planning de la semaine, @bob ?")
    ids = fan_out()
    [row] = rows_of(bob)
    assert ids == [row.pk]
    assert (row.kind, row.subject, row.channel) == ("mention", f"content:{post.pk}", "app")
    assert (row.content_id, row.space_id, row.last_actor_id) == (
        post.pk,
        world["open"].pk,
        alice.pk,
    )
    assert rows_of(alice) == []  # never the actor
    assert text_of(bob) == ["Alice Test mentioned you in “Planning de la semaine, @bob ?”"]
    assert text_of(bob, "fr") == [
        "Alice Test vous a mentionné dans « Planning de la semaine, @bob ? »"
    ]


def test_replies_group_under_what_was_replied_to(
    world: dict[str, Any], fan_out: FanOut, make_person: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Planning")
    fan_out()
    actions.reply(bob, post, "Vu")
    others = [make_person(first_name=f"P{i}") for i in range(2)]
    for person in others:
        space_actions.join_space(person, world["open"])
        actions.reply(person, post, "Moi aussi")
    actions.reply(alice, post, "Merci")  # her own thread: nothing for her
    fan_out()
    [row] = rows_of(alice)
    assert (row.kind, row.subject, row.actor_count, row.channel) == (
        "reply",
        f"content:{post.pk}",
        3,
        "weekly",
    )
    assert NotificationActor.objects.filter(notification=row).count() == 3
    assert text_of(alice) == ["P1 Test and 2 others replied to your post “Planning”"]
    assert text_of(alice, "fr") == ["P1 Test et 2 autres ont répondu à votre message « Planning »"]


def test_reply_to_a_comment_tells_its_author(world: dict[str, Any], fan_out: FanOut) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Planning")
    comment = actions.reply(bob, post, "Mon commentaire")
    fan_out()
    actions.reply(alice, comment, "Réponse au commentaire")
    fan_out()
    [row] = rows_of(bob)
    assert (row.kind, row.subject) == ("reply", f"content:{comment.pk}")
    [shown] = queries.page(bob).items
    assert shown.url == f"/posts/{post.pk}/#c{comment.pk}"


def test_answers_and_accepted_answers(world: dict[str, Any], fan_out: FanOut) -> None:
    alice, bob = world["alice"], world["bob"]
    question = actions.publish(alice, world["open"], "Qui connaît Django ?", kind="question")
    answer = actions.reply(bob, question, "Moi")
    fan_out()
    [row] = rows_of(alice)
    assert (row.kind, row.subject, row.channel) == ("answer", f"content:{question.pk}", "app")
    actions.accept_answer(alice, answer)
    fan_out()
    [accepted] = rows_of(bob)
    assert (accepted.kind, accepted.subject) == ("accepted_answer", f"content:{answer.pk}")
    assert text_of(bob) == ["Alice Test accepted your answer to “Qui connaît Django ?”"]
    assert text_of(alice, "fr") == ["Bob Test a répondu à votre question « Qui connaît Django ? »"]


def test_reactions_group_per_content_with_and_n_others(
    world: dict[str, Any], fan_out: FanOut, make_person: Any
) -> None:
    alice = world["alice"]
    post = actions.publish(alice, world["open"], "Planning de la semaine prochaine et du mois")
    people = [make_person(first_name=f"R{i}") for i in range(11)]
    claire = make_person(first_name="Claire", last_name="Martin")
    for person in [*people, claire]:
        space_actions.join_space(person, world["open"])
        actions.react(person, post, "like")
    actions.react(alice, post, "like")  # her own reaction: nothing
    fan_out()
    [row] = rows_of(alice)
    assert (row.kind, row.actor_count, row.last_actor_id) == ("reaction", 12, claire.pk)
    assert text_of(alice, "fr") == [
        "Claire Martin et 11 autres ont réagi à votre message "
        "« Planning de la semaine prochaine et du mois »"
    ]
    [shown] = queries.page(alice).items
    assert shown.actors == ["Claire Martin", "R10 Test", "R9 Test"]

    # Changing one's reaction is another event, by the same person: no new actor.
    actions.react(claire, post, "celebrate")
    fan_out()
    row.refresh_from_db()
    assert row.actor_count == 12

    # Once read, the next reaction starts a new row.
    row.read_at = row.updated_at
    row.save()
    actions.react(world["bob"], post, "like")
    fan_out()
    assert [(r.kind, r.actor_count, r.read_at is None) for r in rows_of(alice)] == [
        ("reaction", 12, False),
        ("reaction", 1, True),
    ]


def test_two_people_are_both_named(
    world: dict[str, Any], fan_out: FanOut, make_person: Any
) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    post = actions.publish(alice, world["open"], "Sortie")
    space_actions.join_space(carol, world["open"])
    actions.react(bob, post, "like")
    actions.react(carol, post, "like")
    fan_out()
    assert text_of(alice) == ["Carol Test and Bob Test reacted to your post “Sortie”"]
    assert text_of(alice, "fr") == ["Carol Test et Bob Test ont réagi à votre message « Sortie »"]


def test_space_kinds(world: dict[str, Any], fan_out: FanOut, make_person: Any) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    fan_out()
    # Invitation: to the invited person, about the space.
    space_actions.invite(alice, world["secret"], bob)
    fan_out()
    [invitation] = rows_of(bob)
    assert (invitation.kind, invitation.subject) == ("invitation", f"space:{world['secret'].pk}")
    assert text_of(bob, "fr") == ["Alice Test vous a invité dans l’espace Secret"]
    assert queries.page(bob).items[0].url == f"/spaces/{world['secret'].slug}/"

    # Join requests: to every manager of the space.
    space_actions.set_role(
        alice, Membership.objects.get(space=world["private"], person=carol), "community_manager"
    )
    fan_out()
    [role] = rows_of(carol)
    assert (role.kind, role.subject) == ("role_change", f"space:{world['private'].pk}")
    dave = make_person(first_name="Dave")
    space_actions.join_space(dave, world["private"])
    space_actions.join_space(bob, world["private"])
    fan_out()
    for manager in (alice, carol):
        [request] = rows_of(manager, "join_request")
        assert (request.actor_count, request.subject) == (2, f"space:{world['private'].pk}")
    assert rows_of(bob, "join_request") == [] and rows_of(dave) == []
    assert "Bob Test and Dave Test asked to join the space Privé" in text_of(alice)


def test_new_posts_reach_the_watchers_who_may_read_them(
    world: dict[str, Any], fan_out: FanOut, make_person: Any
) -> None:
    alice, bob, carol, gus = world["alice"], world["bob"], world["carol"], world["gus"]
    preferences.watch_space(bob, world["open"].pk, "app")
    preferences.watch_topic(carol, "budget", "email")
    preferences.watch_topic(gus, "budget", "app")  # a guest: internal content is not for him
    preferences.watch_space(alice, world["open"].pk, "app")  # her own post: nothing
    post = actions.publish(alice, world["open"], "Le #budget est voté")
    fan_out()
    assert [(r.kind, r.channel) for r in rows_of(bob)] == [("new_post", "app")]
    assert [(r.kind, r.channel) for r in rows_of(carol)] == [("new_post", "email")]
    assert rows_of(gus) == [] and rows_of(alice) == []
    assert text_of(bob) == ["Alice Test posted in Ouvert: “Le #budget est voté”"]
    assert queries.page(bob).items[0].url == f"/posts/{post.pk}/"

    # A question in the secret space: the topic's watchers who are not members hear nothing.
    preferences.watch_topic(bob, "budget", "app")
    actions.publish(alice, world["secret"], "Quel #budget ?", kind="question")
    fan_out()
    assert len(rows_of(bob)) == 1
    assert [r.kind for r in rows_of(carol)] == ["new_post", "new_post"]
    assert text_of(carol)[0] == "Alice Test asked in Secret: “Quel #budget ?”"

    # The partner space: the guest watching it hears of it.
    preferences.watch_space(gus, world["partner"].pk, "app")
    actions.publish(alice, world["partner"], "Livraison #budget")
    fan_out()
    assert [r.kind for r in rows_of(gus)] == ["new_post"]


def test_topic_preference_wins_over_the_space_and_mentions_are_not_doubled(
    world: dict[str, Any], fan_out: FanOut
) -> None:
    alice, bob = world["alice"], world["bob"]
    preferences.watch_space(bob, world["open"].pk, "app")
    preferences.watch_topic(bob, "sport", "off")
    actions.publish(alice, world["open"], "Match ce soir #sport")
    actions.publish(alice, world["open"], "Réunion, @bob")  # a mention, not a new post too
    fan_out()
    assert [r.kind for r in rows_of(bob)] == ["mention"]


def test_the_same_event_delivered_twice_adds_nothing(
    world: dict[str, Any], fan_out: FanOut, make_person: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Planning")
    actions.react(bob, post, "like")
    fan_out()
    event = Event.objects.get(verb="reacted")
    before = list(Notification.objects.values_list("pk", "actor_count", "updated_at"))
    assert notify(event) == []
    assert list(Notification.objects.values_list("pk", "actor_count", "updated_at")) == before
    assert NotificationEvent.objects.filter(event_id=event.pk).count() == 1


def test_mutes_silence_people_spaces_and_topics(world: dict[str, Any], fan_out: FanOut) -> None:
    alice, bob = world["alice"], world["bob"]
    stream_actions.mute(bob, "person", alice.pk)
    actions.publish(alice, world["open"], "Coucou @bob")
    fan_out()
    assert rows_of(bob) == []
    stream_actions.unmute(bob, "person", alice.pk)
    stream_actions.mute(bob, "topic", "cantine")
    actions.publish(alice, world["open"], "Menu de la #cantine, @bob")
    fan_out()
    assert rows_of(bob) == []
    stream_actions.mute(bob, "space", world["open"].pk)
    actions.publish(alice, world["open"], "Encore @bob")
    fan_out()
    assert rows_of(bob) == []
    stream_actions.unmute(bob, "space", world["open"].pk)
    actions.publish(alice, world["open"], "Enfin @bob")
    fan_out()
    assert [r.kind for r in rows_of(bob)] == ["mention"]


def test_channel_off_writes_nothing(world: dict[str, Any], fan_out: FanOut) -> None:
    alice, bob = world["alice"], world["bob"]
    preferences.set_kind_channel(bob, "mention", "off")
    actions.publish(alice, world["open"], "Coucou @bob")
    fan_out()
    assert rows_of(bob) == [] and NotificationEvent.objects.count() == 0
    preferences.set_kind_channel(bob, "mention", "email")
    actions.publish(alice, world["open"], "Re @bob")
    fan_out()
    assert [(r.kind, r.channel) for r in rows_of(bob)] == [("mention", "email")]


def test_nothing_about_content_deleted_before_the_worker_ran(
    world: dict[str, Any], fan_out: FanOut
) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Oups @bob")
    actions.delete(alice, post)
    fan_out()
    assert rows_of(bob) == []


def test_a_reader_who_lost_access_before_the_worker_ran_hears_nothing(
    world: dict[str, Any], fan_out: FanOut
) -> None:
    alice, carol = world["alice"], world["carol"]
    post = actions.publish(carol, world["private"], "Compte rendu")
    actions.react(alice, post, "like")
    space_actions.leave_space(carol, world["private"])
    fan_out()
    assert rows_of(carol) == []


def test_partner_guests_hear_only_of_their_partner_space(
    world: dict[str, Any], fan_out: FanOut
) -> None:
    alice, gus = world["alice"], world["gus"]
    post = actions.publish(gus, world["partner"], "Livraison lundi")
    actions.react(alice, post, "like")
    actions.reply(alice, post, "Parfait, @gus")
    fan_out()
    assert sorted(r.kind for r in rows_of(gus)) == ["mention", "reaction", "reply"]
    # A profile post (employees only) mentioning the guest never reaches him.
    actions.publish(alice, None, "Merci @gus")
    fan_out()
    assert len(rows_of(gus)) == 3


@pytest.mark.parametrize("watchers", [3, 40])
def test_a_post_to_many_watchers_costs_the_same_queries(
    world: dict[str, Any], make_person: Any, watchers: int
) -> None:
    alice = world["alice"]
    people = [make_person(username=f"w{i}") for i in range(watchers)]
    for person in people:
        space_actions.join_space(person, world["open"])
        preferences.watch_space(person, world["open"].pk, "app")
    preferences.watch_topic(people[0], "t", "email")
    actions.publish(alice, world["open"], "Nouvelle #t")
    event = Event.objects.get(verb="posted")
    with CaptureQueriesContext(connection) as captured:
        ids = notify(event)
    assert len(ids) == watchers
    # The content, the watchers (policy, mutes, mentions as subqueries), the events done, the
    # events written, the unread rows to group into, the rows written, their actors; plus the
    # savepoint pair of the transaction.
    assert len(captured) == 9, [q["sql"][:120] for q in captured.captured_queries]

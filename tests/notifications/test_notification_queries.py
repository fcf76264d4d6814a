"""The read path: the policy re-checked when shown, counts, pages, inbox state."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from rucher.conversations import actions
from rucher.errors import ActionError, Invalid
from rucher.notifications import inbox, queries
from rucher.notifications.models import Notification
from rucher.spaces import actions as space_actions

FanOut = Callable[[], list[int]]


def test_a_member_who_left_a_private_space_no_longer_sees_its_notifications(
    world: dict[str, Any], fan_out: FanOut
) -> None:
    alice, carol = world["alice"], world["carol"]
    post = actions.publish(carol, world["private"], "Compte rendu")
    actions.react(alice, post, "like")
    actions.publish(alice, world["open"], "Merci @carol")
    fan_out()
    assert Notification.objects.filter(recipient=carol).count() == 2
    assert queries.unread_count(carol) == 2
    space_actions.leave_space(carol, world["private"])
    assert [shown.kind for shown in queries.page(carol).items] == ["mention"]
    assert queries.unread_count(carol) == 1  # not counted either
    assert queries.shown_by_id(carol, [n.pk for n in Notification.objects.all()])[0].kind == (
        "mention"
    )


def test_deleted_content_hides_its_notifications(world: dict[str, Any], fan_out: FanOut) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Bonjour @bob")
    comment = actions.reply(alice, post, "Et encore @bob")
    fan_out()
    assert queries.unread_count(bob) == 2
    actions.delete(alice, post)  # the thread goes with it
    assert queries.page(bob).items == [] and queries.unread_count(bob) == 0
    assert comment.pk


def test_a_secret_space_invitation_is_seen_by_the_invited_only(
    world: dict[str, Any], fan_out: FanOut
) -> None:
    alice, bob = world["alice"], world["bob"]
    space_actions.invite(alice, world["secret"], bob)
    fan_out()
    row = Notification.objects.get(recipient=bob)
    # The same row handed to someone else's read path is never shown.
    assert queries.shown_by_id(world["carol"], [row.pk]) == []
    assert [s.subject.title for s in queries.shown_by_id(bob, [row.pk])] == ["Secret"]


def test_unread_count_is_one_query_and_none_for_anonymous(
    world: dict[str, Any], fan_out: FanOut, django_assert_num_queries: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    for i in range(3):
        actions.publish(alice, world["open"], f"Message {i} @bob")
    fan_out()
    with django_assert_num_queries(1):
        assert queries.unread_count(bob) == 3
    with django_assert_num_queries(0):
        assert queries.unread_count(AnonymousUser()) == 0


@pytest.mark.parametrize("count", [2, 12])
def test_a_page_costs_the_same_queries_whatever_its_size(
    world: dict[str, Any], fan_out: FanOut, make_person: Any, count: int
) -> None:
    alice, bob = world["alice"], world["bob"]
    for i in range(count):
        post = actions.publish(alice, world["open"], f"Message {i} @bob")
        actions.react(bob, post, "like")
    space_actions.invite(alice, world["secret"], bob)
    fan_out()
    with CaptureQueriesContext(connection) as captured:
        page = queries.page(bob, limit=50)
    assert len(page.items) == count + 1
    # The rows (policy as subqueries), their contents, their spaces, the actors' names.
    assert len(captured) == 4


def test_pages_follow_the_cursor_newest_first(world: dict[str, Any], fan_out: FanOut) -> None:
    alice, bob = world["alice"], world["bob"]
    for i in range(7):
        actions.publish(alice, world["open"], f"Message {i} @bob")
    fan_out()
    first = queries.page(bob, limit=3)
    assert [s.subject.title for s in first.items] == [
        "Message 6 @bob",
        "Message 5 @bob",
        "Message 4 @bob",
    ]
    seen = [s.id for s in first.items]
    cursor = first.next_cursor
    while cursor:
        more = queries.page(bob, cursor, limit=3)
        seen += [s.id for s in more.items]
        cursor = more.next_cursor
    assert len(seen) == len(set(seen)) == 7
    with pytest.raises(Invalid):
        queries.page(bob, "not-a-cursor")
    with pytest.raises(Invalid):
        queries.page(bob, limit=0)


def test_marking_read(world: dict[str, Any], fan_out: FanOut) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    for i in range(3):
        actions.publish(alice, world["open"], f"Message {i} @bob @carol")
    fan_out()
    mine = list(
        Notification.objects.filter(recipient=bob).order_by("id").values_list("pk", flat=True)
    )
    theirs = list(Notification.objects.filter(recipient=carol).values_list("pk", flat=True))
    assert inbox.mark_read(bob, [mine[0], *theirs, 999_999]) == 1  # others' ids: ignored
    assert queries.unread_count(bob) == 2 and queries.unread_count(carol) == 3
    assert inbox.mark_read(bob, [mine[0]]) == 0  # already read
    assert inbox.mark_all_read(bob) == 2
    assert queries.unread_count(bob) == 0 and queries.unread_count(carol) == 3
    assert [s.read for s in queries.page(bob).items] == [True, True, True]
    for bad in ("1", [0], [True], ["x"], list(range(1, 502))):
        with pytest.raises(Invalid):
            inbox.mark_read(bob, bad)  # type: ignore[arg-type]


def test_nothing_of_a_confidential_text_is_quoted(world: dict[str, Any], fan_out: FanOut) -> None:
    alice, carol = world["alice"], world["carol"]
    post = actions.publish(carol, world["confidential"], "Chiffres du rachat")
    actions.react(alice, post, "like")
    fan_out()
    with translation.override("en"):
        [shown] = queries.page(carol).items
    assert "rachat" not in shown.text and shown.subject.title == "confidential content"
    assert shown.text == "Alice Test reacted to your post “confidential content”"
    assert shown.url == f"/posts/{post.pk}/"  # the page records the read


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Planning **de la semaine**\n\nDétails…", "Planning de la semaine"),
        ("Le #budget est voté", "Le #budget est voté"),
        ("> citation [lien](https://exemple.fr) `code`", "citation lien code"),
        ("\n\n- premier point\n- second", "premier point"),
        ("x" * 100, "x" * 59 + "…"),
    ],
)
def test_titles_are_one_readable_line(text: str, title: str) -> None:
    assert queries.title_of(text) == title


def test_the_prepared_count_agrees_with_the_policy_for_every_kind_of_account(
    world: dict[str, Any], fan_out: FanOut
) -> None:
    alice = world["alice"]
    names = ("bob", "carol", "gus", "cm", "admin")
    for space in ("open", "private", "secret", "partner", "confidential"):
        post = actions.publish(alice, world[space], "À lire " + " ".join(f"@{n}" for n in names))
        for name in names:
            with contextlib.suppress(ActionError):  # not a member there: no reaction
                actions.react(world[name], post, "like")
    space_actions.invite(alice, world["secret"], world["bob"])
    fan_out()
    actions.delete(alice, actions.publish(alice, world["open"], "Bientôt effacé @bob"))
    space_actions.leave_space(world["carol"], world["private"])
    for name in ("alice", *names):
        person = world[name]
        expected = queries.shown_to(person).filter(read_at__isnull=True).count()
        assert queries.unread_count(person) == expected, name
    assert queries.unread_count(alice) > 0 and queries.unread_count(world["gus"]) > 0

"""The review queue: who sees which items, grouping, order, cursor, history, query counts."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.conversations import actions as conversations
from rucher.errors import Invalid
from rucher.moderation import actions
from rucher.moderation.queries import ItemRef, review_queue

pytestmark = pytest.mark.django_db


def on(content: Any) -> ItemRef:
    return ItemRef("content", content.pk)


def refs(person: Any, **options: Any) -> list[str]:
    return [e.ref.key for e in review_queue(person, **options).entries]


def test_who_sees_what_in_the_queue(world: dict[str, Any]) -> None:
    open_post = conversations.publish(world["bob"], world["open"], "Ouvert")
    secret_post = conversations.publish(world["carol"], world["secret"], "Secret")
    partner_post = conversations.publish(world["gus"], world["partner"], "Partenaire")
    actions.flag(world["alice"], on(open_post), "spam")
    actions.flag(world["alice"], on(secret_post), "spam")
    actions.flag(world["alice"], on(partner_post), "spam")
    actions.flag(world["bob"], ItemRef("person", world["carol"].pk), "inappropriate")
    everything = {
        f"content:{open_post.pk}",
        f"content:{secret_post.pk}",
        f"content:{partner_post.pk}",
    }
    # The owner of the spaces sees their items, not profiles (community-manager accounts').
    assert set(refs(world["alice"])) == everything
    # A community-manager account: the global queue of what they read, and profiles; not the
    # secret or private spaces they are not in.
    assert set(refs(world["cm"])) == {f"content:{open_post.pk}", f"person:{world['carol'].pk}"}
    # An administrator judges what they read (not the secret space they are not in).
    assert set(refs(world["admin"])) == {f"content:{open_post.pk}", f"person:{world['carol'].pk}"}
    # Members and guests have no queue.
    for person in (world["bob"], world["carol"], world["gus"]):
        assert refs(person) == []


def test_flags_are_grouped_per_item_with_their_context_and_the_authors_history(
    world: dict[str, Any],
) -> None:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    comment = conversations.reply(world["bob"], post, "Réponse déplacée")
    conversations.publish(world["bob"], world["open"], "Un autre message de bob")
    earlier = conversations.publish(world["bob"], world["open"], "Pub")
    actions.flag(world["alice"], on(earlier), "spam")
    actions.decide(world["alice"], [on(earlier)], "warn", "Pas de pub")
    actions.flag(world["alice"], on(comment), "inappropriate")
    actions.flag(world["carol"], on(comment), "other", "Ton agressif")
    (entry,) = review_queue(world["cm"]).entries
    assert entry.item.content == comment
    assert entry.item.content.parent == post  # the parent, for a comment
    assert entry.item.space == world["open"]
    assert entry.item.flag_count == 2
    assert [(f.flagger.username, f.reason, f.text) for f in entry.flags] == [
        ("carol", "other", "Ton agressif"),
        ("alice", "inappropriate", ""),
    ]
    assert (entry.history.posts, entry.history.comments) == (2, 1)
    assert entry.history.decisions == {"warn": 1}


def test_newest_or_most_flagged_first_page_by_page(world: dict[str, Any]) -> None:
    posts = [conversations.publish(world["bob"], world["open"], f"Message {i}") for i in range(3)]
    flaggers = [world["alice"], world["carol"], world["cm"]]
    # posts[0] gets three flags, posts[1] one, posts[2] two; posts[1] is flagged last.
    for flagger in flaggers:
        actions.flag(flagger, on(posts[0]), "spam")
    for flagger in flaggers[:2]:
        actions.flag(flagger, on(posts[2]), "spam")
    actions.flag(world["alice"], on(posts[1]), "spam")
    newest = [f"content:{posts[i].pk}" for i in (1, 2, 0)]
    most = [f"content:{posts[i].pk}" for i in (0, 2, 1)]
    for order, expected in (("newest", newest), ("most_flagged", most)):
        seen, cursor = [], None
        while True:
            page = review_queue(world["alice"], cursor, 1, order)
            seen += [e.ref.key for e in page.entries]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == expected, order
    with pytest.raises(Invalid):
        review_queue(world["alice"], "bm90IGEgY3Vyc29y", 1)
    with pytest.raises(Invalid):
        review_queue(world["alice"], order="oldest")


def test_deleted_content_leaves_the_queue(world: dict[str, Any]) -> None:
    post = conversations.publish(world["bob"], world["open"], "Oups")
    actions.flag(world["alice"], on(post), "spam")
    conversations.delete(world["bob"], post)
    assert refs(world["alice"]) == []


def test_a_queue_page_costs_the_same_whatever_its_size(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    def flag_more(n: int) -> None:
        for i in range(n):
            post = conversations.publish(world["bob"], world["open"], f"Message {i}")
            comment = conversations.reply(world["bob"], post, f"Réponse {i}")
            actions.flag(world["alice"], on(comment), "spam")
            actions.flag(world["carol"], on(comment), "off_topic")

    flag_more(2)
    with django_assert_num_queries(4):  # items, flags, counts, earlier decisions
        assert len(review_queue(world["cm"]).entries) == 2
    flag_more(6)
    with django_assert_num_queries(4):
        assert len(review_queue(world["cm"]).entries) == 8

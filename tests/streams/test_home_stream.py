from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rucher.conversations import actions
from rucher.streams import actions as stream_actions
from rucher.streams.queries import StreamFilters, home, space_stream

pytestmark = pytest.mark.django_db


def test_home_shows_my_spaces_and_hides_what_i_cannot_read(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    in_open = actions.publish(alice, world["open"], "Bonjour à tous #accueil")
    in_secret = actions.publish(alice, world["secret"], "Projet secret")
    page = home(bob)
    ids = [item.pk for item in page.items]
    assert in_open.pk in ids
    assert in_secret.pk not in ids


def test_cursor_pages_never_repeat_or_skip(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    posted = [actions.publish(alice, world["open"], f"message {i}").pk for i in range(7)]
    seen: list[int] = []
    cursor = None
    while True:
        page = home(bob, cursor=cursor, limit=3)
        seen += [item.pk for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(reversed(posted))


def test_mutes_and_tag_rules_hide_posts(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    sport = actions.publish(alice, world["open"], "[Sport] course du midi")
    work = actions.publish(alice, world["open"], "Réunion #budget")
    stream_actions.hide_tag(bob, "[sport]")
    assert [i.pk for i in home(bob).items] == [work.pk]
    stream_actions.mute(bob, "topic", "budget")
    assert home(bob).items == []
    assert {i.pk for i in space_stream(bob, world["open"].pk).items} == {sport.pk, work.pk}


@pytest.mark.parametrize("size", [5, 40])
def test_query_count_does_not_grow_with_page_size(world: dict[str, Any], size: int) -> None:
    alice, bob = world["alice"], world["bob"]
    for i in range(45):
        post = actions.publish(alice, world["open"], f"#t{i % 3} post {i} @bob")
        actions.react(bob, post, "like")
    with CaptureQueriesContext(connection) as queries:
        page = home(bob, limit=size, filters=StreamFilters(kind="post"))
        for item in page.items:
            _ = (
                item.author.display_name,
                item.space and item.space.name,
                [t.name for t in item.topics.all()],
                page.my_reactions.get(item.pk),
            )
    assert len(page.items) == size
    # write generation, the scope, the ids (merged scans), the rows with my reactions, topics
    assert len(queries) == 5
    with CaptureQueriesContext(connection) as again:
        home(bob, limit=size, filters=StreamFilters(kind="post"))
    assert len(again) == 1  # the write generation only: the page comes from the cache


def test_a_cached_page_is_renewed_by_any_write(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    first = actions.publish(alice, world["open"], "Premier")
    assert [i.pk for i in home(bob).items] == [first.pk]
    second = actions.publish(alice, world["open"], "Second")
    assert [i.pk for i in home(bob).items] == [second.pk, first.pk]
    actions.react(bob, second, "like")
    assert home(bob).items[0].reaction_count == 1
    stream_actions.hide_tag(bob, "[sport]")
    sport = actions.publish(alice, world["open"], "[Sport] footing")
    assert sport.pk not in [i.pk for i in home(bob).items]

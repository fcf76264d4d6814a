"""What a feed request costs: a fixed number of queries whatever the amount of content, one
query for a reader whose copy is current (a 304), and conditional GET on ETag and
Last-Modified (docs/feeds.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rucher.conversations import actions as conversations
from rucher.feeds.links import feed_path
from rucher.feeds.models import FeedToken

pytestmark = pytest.mark.django_db

# the key, its holder and the newest write (one statement); the space through the policy;
# the stream page (authors and spaces joined), its topics, the holder's reactions
SPACE_FEED = 5
# the key; the topic stream page, its topics, the holder's reactions
TOPIC_FEED = 4
# the key; the home stream's ids, its rows, their topics, the holder's reactions
HOME_FEED = 5
# the key, its holder and the newest write: nothing else
NOT_MODIFIED = 1


def count(path: str, **headers: Any) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(path, headers=headers)
    return response.status_code, len(captured), [q["sql"][:160] for q in captured]


@pytest.mark.parametrize(
    ("kind", "pinned"), [("space", SPACE_FEED), ("topic", TOPIC_FEED), ("home", HOME_FEED)]
)
def test_a_feed_costs_a_fixed_number_of_queries(
    world: dict[str, Any],
    grow: Callable[[int], Any],
    key_of: Callable[[Any], str],
    kind: str,
    pinned: int,
) -> None:
    key = key_of(world["bob"])
    name = {"space": world["open"].slug, "topic": "t0", "home": ""}[kind]
    path = feed_path(key, kind, name)
    grow(2)
    Client().get(path)  # the first use of the minute notes last_used_at
    status, small, _sql = count(path)
    assert status == 200
    grow(10)
    status, large, sql = count(path)
    assert status == 200
    assert small == large == pinned, sql


def test_the_first_use_of_a_minute_notes_it(
    world: dict[str, Any], key_of: Callable[[Any], str]
) -> None:
    conversations.publish(world["alice"], world["open"], "Premier")
    path = feed_path(key_of(world["bob"]), "space", world["open"].slug)
    status, queries, sql = count(path)
    assert (status, queries) == (200, SPACE_FEED + 1), sql
    token = FeedToken.objects.get(person=world["bob"], revoked_at__isnull=True)
    assert token.last_used_at is not None
    assert count(path)[1] == SPACE_FEED


@pytest.mark.parametrize("kind", ["space", "topic", "home"])
def test_an_unchanged_feed_is_a_304_on_its_etag(
    world: dict[str, Any], key_of: Callable[[Any], str], kind: str
) -> None:
    bob = world["bob"]
    conversations.publish(world["alice"], world["open"], "Premier #t0")
    key = key_of(bob)
    path = feed_path(key, kind, {"space": world["open"].slug, "topic": "t0", "home": ""}[kind])
    first = Client().get(path)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    status, queries, sql = count(path, if_none_match=first["ETag"])
    assert (status, queries) == (304, NOT_MODIFIED), sql
    again = Client().get(path, headers={"if-none-match": first["ETag"]})
    assert again["ETag"] == first["ETag"] and again.content == b""
    # A write anywhere may change the feed: the next poll gets it in full, with a new tag.
    conversations.publish(world["alice"], world["open"], "Second #t0")
    changed = Client().get(path, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert b"Second" in changed.content


def test_if_modified_since_is_answered_too(
    world: dict[str, Any], key_of: Callable[[Any], str]
) -> None:
    conversations.publish(world["alice"], world["open"], "Premier")
    path = feed_path(key_of(world["bob"]), "home")
    first = Client().get(path)
    later = Client().get(path, headers={"if-modified-since": first["Last-Modified"]})
    assert later.status_code == 304
    older = Client().get(path, headers={"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert older.status_code == 200


def test_the_etag_is_per_key_feed_and_format(
    world: dict[str, Any], key_of: Callable[[Any], str]
) -> None:
    bob_key, carol_key = key_of(world["bob"]), key_of(world["carol"])
    tags = {
        Client().get(feed_path(key, kind, name, fmt))["ETag"]
        for key in (bob_key, carol_key)
        for kind, name in (("home", ""), ("topic", "t0"))
        for fmt in ("atom", "rss")
    }
    assert len(tags) == 8


def test_a_304_never_outlives_the_key(world: dict[str, Any], key_of: Callable[[Any], str]) -> None:
    from rucher.feeds.actions import revoke_feed_key

    path = feed_path(key_of(world["bob"]), "home")
    tag = Client().get(path)["ETag"]
    revoke_feed_key(world["bob"])
    assert Client().get(path, headers={"if-none-match": tag}).status_code == 404

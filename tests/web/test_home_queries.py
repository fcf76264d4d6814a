"""The home page costs a fixed number of SQL queries, whatever the page size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rucher.conversations import actions

pytestmark = pytest.mark.django_db
# session, user, write generation, ids, rows, topics, my reactions, postable spaces, view event
# (checked; the day's first visit adds its INSERT, a write that later visits no longer make),
# the header's unread notifications (the bell), the navigation column's spaces with their
# unread marks
MAX_HOME_QUERIES = 11


def _home_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return len(captured)


def test_home_page_query_count_does_not_grow_with_the_page(
    world: dict[str, Any], client_for: Callable[[Any], Client], settings: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    for i in range(30):
        post = actions.publish(alice, world["open"], f"message {i} #sujet{i % 3} @bob")
        actions.react(bob, post, "like")
    shared = actions.publish(alice, world["open"], "original")
    actions.share(alice, shared, world["private"], "partagé")
    client = client_for(bob)
    assert _home_queries(client) == MAX_HOME_QUERIES + 1  # the day's first visit is logged
    settings.RUCHER_STREAM_PAGE_SIZE = 3
    small = _home_queries(client)
    settings.RUCHER_STREAM_PAGE_SIZE = 25
    large = _home_queries(client)
    body = client.get("/").content.decode()
    assert body.count('class="card item') == 25
    assert small == large
    assert large <= MAX_HOME_QUERIES, large


def test_load_more_by_cursor_with_and_without_htmx(
    world: dict[str, Any], client_for: Callable[[Any], Client], settings: Any
) -> None:
    for i in range(5):
        actions.publish(world["alice"], world["open"], f"numéro {i}")
    settings.RUCHER_STREAM_PAGE_SIZE = 2
    client = client_for(world["bob"])
    first = client.get("/").content.decode()
    assert "numéro 4" in first and "numéro 2" not in first
    cursor = first.split("?cursor=")[1].split('"')[0]
    fragment = client.get(f"/?cursor={cursor}", headers={"HX-Request": "true"}).content.decode()
    assert "numéro 2" in fragment and "numéro 1" in fragment and "<html" not in fragment
    assert "numéro 3" not in fragment
    assert 'hx-swap-oob="true"' in fragment
    plain = client.get(f"/?cursor={cursor}").content.decode()
    assert "<html" in plain and "numéro 2" in plain and "numéro 4" not in plain

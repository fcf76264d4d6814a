"""The pages around the feeds: the "Subscribe by RSS" links of space and topic pages, their
<link rel="alternate">, and the settings page that shows, makes, regenerates and revokes the
person's feed key."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from rucher.activity.models import Event
from rucher.feeds.actions import create_feed_key
from rucher.feeds.keys import active_key
from rucher.feeds.links import feed_url
from rucher.feeds.models import FeedToken

pytestmark = pytest.mark.django_db

ALTERNATE = re.compile(r'<link rel="alternate" type="application/atom\+xml" [^>]*href="([^"]+)"')


def alternates(html: str) -> list[str]:
    return ALTERNATE.findall(html)


def test_a_space_page_links_to_its_feed(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    bob = world["bob"]
    client = client_for(bob)
    page = client.get(f"/spaces/{world['open'].slug}/").content.decode()
    assert f"/settings/feeds/?space={world['open'].slug}" in page
    assert alternates(page) == []  # no key yet: nothing to point a reader at
    _token, key = create_feed_key(bob)
    page = client.get(f"/spaces/{world['open'].slug}/").content.decode()
    assert alternates(page) == [feed_url(key, "space", world["open"].slug)]


@pytest.mark.parametrize("space", ["private", "confidential"])
def test_no_feed_link_where_there_is_no_feed(
    world: dict[str, Any], client_for: Callable[[Any], Client], space: str
) -> None:
    """A private space bob may not read, a confidential space carol reads: no feed."""
    person = world["bob"] if space == "private" else world["carol"]
    create_feed_key(person)
    page = client_for(person).get(f"/spaces/{world[space].slug}/").content.decode()
    assert "/settings/feeds/?space=" not in page and alternates(page) == []


def test_a_topic_page_links_to_its_feed(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    client = client_for(world["bob"])
    page = client.get("/topics/budget/").content.decode()
    assert "/settings/feeds/?topic=budget" in page and alternates(page) == []
    _token, key = create_feed_key(world["bob"])
    page = client.get("/topics/budget/").content.decode()
    assert alternates(page) == [feed_url(key, "topic", "budget")]


def test_the_settings_page_makes_shows_regenerates_and_revokes_the_key(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    bob = world["bob"]
    client = client_for(bob)
    page = client.get("/settings/feeds/")
    assert page.status_code == 200 and "op" in page.content.decode()
    assert not FeedToken.objects.exists()

    made = client.post("/settings/feeds/?space=ouvert", {"op": "create"})
    assert made.status_code == 302 and made["Location"] == "/settings/feeds/?space=ouvert"
    key = active_key(bob)
    assert key is not None
    page = client.get(made["Location"]).content.decode()
    for url in (
        feed_url(key, "home"),
        feed_url(key, "home", fmt="rss"),
        feed_url(key, "space", world["open"].slug),
        feed_url(key, "space", world["open"].slug, "rss"),
    ):
        assert f'value="{url}"' in page

    client.post("/settings/feeds/", {"op": "create"})
    new = active_key(bob)
    assert new is not None and new != key
    assert feed_url(key, "home") not in client.get("/settings/feeds/").content.decode()

    client.post("/settings/feeds/", {"op": "revoke"})
    assert active_key(bob) is None
    assert Event.objects.filter(object_type="feed_key").count() == 3
    assert feed_url(new, "home") not in client.get("/settings/feeds/").content.decode()


def test_the_settings_page_lists_my_spaces_and_topics_but_nothing_confidential(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    from rucher.conversations.actions import publish
    from rucher.streams.actions import follow

    carol = world["carol"]
    publish(world["alice"], world["open"], "#budget")
    follow(carol, "topic", "budget")
    _token, key = create_feed_key(carol)
    whole = client_for(carol).get("/settings/feeds/").content.decode()
    # The page's own content (the navigation column lists carol's spaces, confidential too).
    page = whole.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert feed_url(key, "space", world["private"].slug) in page
    assert feed_url(key, "space", world["secret"].slug) in page
    assert feed_url(key, "topic", "budget") in page
    assert world["confidential"].slug not in page
    asked = client_for(carol).get(f"/settings/feeds/?space={world['confidential'].slug}")
    assert "confidential space: it has no feed" in asked.content.decode()


def test_the_settings_page_shows_nothing_of_a_space_one_may_not_read(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    create_feed_key(world["bob"])
    for slug in (world["secret"].slug, world["private"].slug, world["confidential"].slug):
        page = client_for(world["bob"]).get(f"/settings/feeds/?space={slug}").content.decode()
        assert slug not in page.replace(f"?space={slug}", "")


@pytest.mark.parametrize(
    "query",
    [
        "?topic=%00",
        "?topic=" + "x" * 300,
        "?space=%00",
        "?space=ouvert%00",
        "?space=" + "é" * 500,
        "?space=" + "a" * 5000,
    ],
)
def test_bad_query_strings_are_ignored(
    world: dict[str, Any], client_for: Callable[[Any], Client], query: str
) -> None:
    create_feed_key(world["bob"])
    assert client_for(world["bob"]).get("/settings/feeds/" + query).status_code == 200


def test_an_unknown_operation_or_nothing_to_revoke_shows_the_error(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    client = client_for(world["bob"])
    unknown = client.post("/settings/feeds/", {"op": "explode"})
    assert unknown.status_code == 422 and 'role="alert"' in unknown.content.decode()
    nothing = client.post("/settings/feeds/", {"op": "revoke"})
    assert nothing.status_code == 404 and 'role="alert"' in nothing.content.decode()


def test_the_settings_page_is_for_signed_in_people(db: Any) -> None:
    response = Client().get("/settings/feeds/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_key_made_under_another_secret_key_asks_for_a_new_one(
    world: dict[str, Any], client_for: Callable[[Any], Client], settings: Any
) -> None:
    create_feed_key(world["bob"])
    settings.SECRET_KEY = "rotated" * 10
    page = client_for(world["bob"]).get("/settings/feeds/").content.decode()
    assert "no longer works" in page and "/feeds/rcf_" not in page

"""The bell on every page, its drop-down, /notifications/ and /settings/notifications/, in
French and English, and what they cost."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.notifications.fanout import KIND_OF_VERB, notify
from rucher.notifications.models import Notification, Preference, Settings

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def fan_out() -> None:
    for event in Event.objects.filter(verb__in=list(KIND_OF_VERB)).order_by("id"):
        notify(event)


def bell_count(body: str) -> str:
    found = re.search(r'<span id="notification-count"[^>]*>(\d+)</span>', body)
    assert found, "no bell"
    return found.group(0)


@pytest.fixture
def mentioned(world: dict[str, Any]) -> list[Any]:
    """Three posts of alice mentioning bob, then one reaction of bob to the first."""
    posts = [
        actions.publish(world["alice"], world["open"], f"Réunion {i} avec @bob") for i in range(3)
    ]
    actions.react(world["bob"], posts[0], "like")
    fan_out()
    return posts


def test_the_bell_shows_the_unread_count_on_every_page(
    world: dict[str, Any], mentioned: list[Any], client_for: Callable[[Any], Client]
) -> None:
    client = client_for(world["bob"])
    for url in ("/", "/spaces/", "/people/", f"/posts/{mentioned[0].pk}/", "/settings/"):
        body = client.get(url).content.decode()
        assert 'id="notification-bell" href="/notifications/"' in body, url
        assert bell_count(body) == (
            '<span id="notification-count" class="notification-count" data-count="3">3</span>'
        ), url
    # Nothing unread: the count is hidden (and says 0 for the live updates).
    nobody = client_for(world["cm"]).get("/").content.decode()
    assert 'data-count="0" hidden>0</span>' in nobody
    # Anonymous visitors: no bell, no query for it.
    assert "notification-bell" not in Client().get("/login/").content.decode()


def test_the_drop_down_lists_the_latest_and_marks_all_read(
    world: dict[str, Any],
    mentioned: list[Any],
    client_for: Callable[[Any], Client],
    make_person: Callable[..., Any],
) -> None:
    bob = world["bob"]
    for i in range(8):
        actions.publish(world["alice"], world["open"], f"Encore {i} @bob")
    fan_out()
    client = client_for(bob)
    menu = client.get("/notifications/menu/", headers=HTMX, HTTP_ACCEPT_LANGUAGE="fr")
    body = menu.content.decode()
    assert body.count('class="unread') == 8  # the newest 8 only
    assert "Alice Test vous a mentionné dans « Encore 7 @bob »" in body
    assert "Marquer tout comme lu" in body and 'href="/notifications/"' in body
    assert "<html" not in body
    assert client.get("/notifications/menu/").status_code == 302  # without htmx: the page
    done = client.post(
        "/notifications/read/", {"all": "1", "from": "menu"}, headers=HTMX
    ).content.decode()
    assert 'data-count="0" hx-swap-oob="true" hidden>0</span>' in done
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()


def test_the_page_in_both_languages_with_more_by_cursor(
    world: dict[str, Any],
    mentioned: list[Any],
    client_for: Callable[[Any], Client],
    settings: Any,
) -> None:
    alice = world["alice"]
    client = client_for(alice)
    french = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<h1>Notifications</h1>" in french
    assert "Bob Test a réagi à votre message « Réunion 0 avec @bob »" in french
    client.cookies["django_language"] = "en"
    english = client.get("/notifications/").content.decode()
    assert "Bob Test reacted to your post “Réunion 0 avec @bob”" in english
    assert "Mark all read" in english

    settings.RUCHER_STREAM_PAGE_SIZE = 2
    bob = client_for(world["bob"])
    first = bob.get("/notifications/").content.decode()
    assert "Réunion 2" in first and "Réunion 1" in first and "Réunion 0" not in first
    cursor = first.split("?cursor=")[1].split('"')[0]
    more = bob.get(f"/notifications/?cursor={cursor}", headers=HTMX).content.decode()
    assert "Réunion 0" in more and "<html" not in more and 'id="load-more"' in more
    assert bob.get("/notifications/?cursor=forged").status_code == 422


def test_opening_a_notification_marks_it_read_and_goes_to_the_item(
    world: dict[str, Any], mentioned: list[Any], client_for: Callable[[Any], Client]
) -> None:
    bob = world["bob"]
    row = Notification.objects.filter(recipient=bob).order_by("id").first()
    assert row is not None
    client = client_for(bob)
    answer = client.get(f"/notifications/{row.pk}/")
    assert answer.status_code == 302 and answer["Location"] == f"/posts/{mentioned[0].pk}/"
    row.refresh_from_db()
    assert row.read_at is not None
    # Someone else's notification does not exist for you.
    assert client_for(world["carol"]).get(f"/notifications/{row.pk}/").status_code == 404
    body = client.get("/notifications/").content.decode()
    assert body.count('class="unread') == 2 and body.count('class="read') == 1
    client.post("/notifications/read/", {"ids": [n.pk for n in Notification.objects.all()]})
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()
    assert client.post("/notifications/read/", {"ids": ["x"]}).status_code == 422


def test_the_settings_page_saves_and_explains_errors(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    bob = world["bob"]
    client = client_for(bob)
    page = client.get("/settings/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Réglages des notifications" in page and "Mentions de mon nom" in page
    assert "Europe/Paris" in page and "lundi" in page.lower()
    form = {
        **{f"kind-{k}": v for k, v in {"mention": "email", "reaction": "off"}.items()},
        "add_space": str(world["open"].pk),
        "add_space_channel": "daily",
        "add_topic": "#Budget",
        "add_topic_channel": "app",
        "language": "en",
        "time_zone": "Europe/London",
        "quiet_from": "22:00",
        "quiet_until": "07:00",
        "digest_hour": "9",
        "digest_weekday": "4",
    }
    answer = client.post("/settings/notifications/", form)
    assert answer.status_code == 302
    chosen = Preference.objects.filter(person=bob).values_list("kind", "space_id", "channel")
    assert set(chosen) == {
        ("", world["open"].pk, "daily"),
        ("", None, "app"),  # the topic
        ("mention", None, "email"),
        ("reaction", None, "off"),
    }
    saved = Settings.objects.get(person=bob)
    assert (saved.language, saved.time_zone, saved.digest_hour, saved.digest_weekday) == (
        "en",
        "Europe/London",
        9,
        4,
    )
    page = client.get("/settings/notifications/").content.decode()
    assert "Ouvert" in page and "#budget" in page

    # Stop watching the space; a bad time zone is refused with the reason, nothing saved.
    watched = f"space-{world['open'].pk}"
    bad = client.post(
        "/settings/notifications/",
        {**form, "add_space": "", "add_topic": "", watched: "", "time_zone": "Mars/Olympus"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 422
    assert "unknown time zone" in bad.content.decode()
    assert Preference.objects.filter(person=bob, space=world["open"]).exists()
    client.post("/settings/notifications/", {**form, "add_space": "", "add_topic": "", watched: ""})
    assert not Preference.objects.filter(person=bob, space=world["open"]).exists()
    secret = client.post("/settings/notifications/", {**form, "add_space": world["secret"].pk})
    assert secret.status_code == 404


def test_what_the_pages_cost(
    world: dict[str, Any], mentioned: list[Any], client_for: Callable[[Any], Client]
) -> None:
    client = client_for(world["bob"])

    def count(url: str, **extra: Any) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, **extra).status_code == 200
        return len(captured)

    # session, user, the page's rows + contents + actors' names (no space subject), the bell,
    # the navigation column's spaces
    assert count("/notifications/") == 7
    # session, user, the latest rows + contents + actors' names, the unread count
    assert count("/notifications/menu/", headers=HTMX) == 6
    for i in range(10):
        actions.publish(world["alice"], world["open"], f"Plus {i} @bob")
    fan_out()
    assert count("/notifications/") == 7
    assert count("/notifications/menu/", headers=HTMX) == 6


def test_the_settings_page_costs_the_same_whatever_is_watched(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    from rucher.notifications import preferences

    carol = world["carol"]
    client = client_for(carol)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/settings/notifications/").status_code == 200
        return len(captured)

    preferences.watch_space(carol, world["open"].pk, "app")
    preferences.watch_topic(carol, "budget", "daily")
    # session, user, preferences (spaces and topics joined), the watched spaces still
    # visible, settings, the spaces one may add, one's push devices, the bell, the navigation
    # column's spaces
    assert count() == 9
    for space in ("private", "secret", "confidential"):
        preferences.watch_space(carol, world[space].pk, "email")
    for topic in ("a", "b", "c"):
        preferences.watch_topic(carol, topic, "app")
    assert count() == 9

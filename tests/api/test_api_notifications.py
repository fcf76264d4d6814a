"""/api/v1/notifications: the page's contract, unread count, marking read, preferences and
their errors, the query counts."""

from __future__ import annotations

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
from rucher.people.actions.tokens import create_token

pytestmark = pytest.mark.django_db


def as_(person: Any) -> Client:
    _, raw = create_token(person)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def fan_out() -> None:
    for event in Event.objects.filter(verb__in=list(KIND_OF_VERB)).order_by("id"):
        notify(event)


@pytest.fixture
def reacted(world: dict[str, Any], make_person: Callable[..., Any]) -> Any:
    """Three people reacted to alice's post; bob mentioned her."""
    from rucher.spaces.actions import join_space

    alice = world["alice"]
    post = actions.publish(alice, world["open"], "Planning de la semaine")
    for name in ("Claire", "Denis", "Emma"):
        person = make_person(first_name=name, last_name="Martin")
        join_space(person, world["open"])
        actions.react(person, post, "like")
    actions.publish(world["bob"], world["open"], "Merci @alice")
    fan_out()
    return post


def test_the_page_shape(world: dict[str, Any], reacted: Any) -> None:
    answer = as_(world["alice"]).get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    body = answer.json()
    assert body["next"] is None
    mention, reaction = body["items"]
    assert mention["kind"] == "mention" and mention["actors"] == ["Bob Test"]
    assert reaction == {
        "id": reaction["id"],
        "kind": "reaction",
        "text": "Emma Martin and 2 others reacted to your post “Planning de la semaine”",
        "url": f"/posts/{reacted.pk}/",
        "actors": ["Emma Martin", "Denis Martin", "Claire Martin"],
        "actor_count": 3,
        "subject": {"type": "content", "id": reacted.pk, "title": "Planning de la semaine"},
        "created_at": reaction["created_at"],
        "updated_at": reaction["updated_at"],
        "read": False,
    }
    french = as_(world["alice"]).get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["items"][1]["text"] == (
        "Emma Martin et 2 autres ont réagi à votre message « Planning de la semaine »"
    )


def test_cursor_pages_and_bad_input(world: dict[str, Any], reacted: Any) -> None:
    client = as_(world["alice"])
    first = client.get("/api/v1/notifications?limit=1").json()
    assert len(first["items"]) == 1 and first["next"]
    second = client.get(f"/api/v1/notifications?limit=1&cursor={first['next']}").json()
    assert [i["kind"] for i in second["items"]] == ["reaction"] and second["next"] is None
    for query in ("cursor=nope", "limit=0", "limit=x", "unread=maybe"):
        answer = client.get(f"/api/v1/notifications?{query}")
        assert answer.status_code == 422, query
        assert answer.json()["detail"]


def test_unread_count_and_marking_read(world: dict[str, Any], reacted: Any) -> None:
    alice, bob = world["alice"], world["bob"]
    client = as_(alice)
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 2}
    mine = list(Notification.objects.filter(recipient=alice).values_list("pk", flat=True))
    other = Notification.objects.create(
        recipient=bob,
        kind="mention",
        subject="content:1",
        content_id=reacted.pk,
        channel="app",
        first_event_id=1,
        last_event_id=1,
        created_at=reacted.created_at,
        updated_at=reacted.created_at,
    )

    def read(body: dict[str, Any]) -> Any:
        return client.post("/api/v1/notifications/read", body, content_type="application/json")

    # Someone else's id and unknown ids are ignored (not a 404: no way to probe ids).
    answer = read({"ids": [mine[0], other.pk, 987654]})
    assert answer.status_code == 200 and answer.json() == {"marked": 1, "unread": 1}
    other.refresh_from_db()
    assert other.read_at is None
    assert read({"all": True}).json() == {"marked": 1, "unread": 0}
    unread = client.get("/api/v1/notifications?unread=true").json()
    assert unread["items"] == []
    for bad in ({}, {"ids": [1], "all": True}, {"ids": "1"}, {"ids": [-1]}, {"all": "yes"}):
        answer = read(bad)
        assert answer.status_code == 422, bad
        assert answer.json()["detail"]


def test_preferences_round_trip(world: dict[str, Any]) -> None:
    bob = world["bob"]
    client = as_(bob)
    default = client.get("/api/v1/notifications/preferences").json()
    assert default["kinds"]["mention"] == "app" and default["kinds"]["new_post"] == "off"
    assert default["spaces"] == [] and default["topics"] == []
    assert default["settings"]["time_zone"] == "Europe/Paris"
    body = {
        "kinds": {"reaction": "off", "mention": "email"},
        "spaces": [{"space_id": world["open"].pk, "channel": "daily"}],
        "topics": [{"topic": "#Budget", "channel": "app"}],
        "settings": {
            "language": "en",
            "time_zone": "America/Montreal",
            "quiet_from": "22:00",
            "quiet_until": "07:30",
            "digest_hour": 9,
            "digest_weekday": 4,
        },
    }
    answer = client.put("/api/v1/notifications/preferences", body, content_type="application/json")
    assert answer.status_code == 200, answer.json()
    saved = answer.json()
    assert saved["kinds"]["reaction"] == "off" and saved["kinds"]["mention"] == "email"
    assert saved["spaces"] == [{"space_id": world["open"].pk, "name": "Ouvert", "channel": "daily"}]
    assert saved["topics"] == [{"topic": "budget", "channel": "app"}]
    assert saved["settings"] == {**body["settings"], "quiet_until": "07:30"}
    assert client.get("/api/v1/notifications/preferences").json() == saved
    # A section left out is unchanged; a section sent replaces it.
    again = client.put(
        "/api/v1/notifications/preferences", {"topics": []}, content_type="application/json"
    ).json()
    assert again["topics"] == [] and again["spaces"] == saved["spaces"]
    assert again["kinds"] == saved["kinds"]


@pytest.mark.parametrize(
    "body, reason",
    [
        ({"kinds": {"gossip": "app"}}, "kind must be one of"),
        ({"kinds": {"mention": "pigeon"}}, "channel must be one of"),
        ({"settings": {"time_zone": "Mars/Olympus"}}, "unknown time zone"),
        ({"settings": {"language": "de"}}, "language must be one of"),
        ({"settings": {"digest_hour": 24}}, "hour from 0 to 23"),
        ({"settings": {"digest_weekday": 7}}, "weekday"),
        ({"settings": {"quiet_from": "25:00", "quiet_until": "07:00"}}, "time of day"),
        ({"settings": {"quiet_from": "22:00"}}, "quiet hours need a start and an end"),
        ({"topics": [{"topic": "", "channel": "app"}]}, "topic"),
    ],
)
def test_preferences_errors_are_422_with_a_reason(
    world: dict[str, Any], body: dict[str, Any], reason: str
) -> None:
    client = as_(world["bob"])
    body = {"kinds": {"reaction": "email"}, **body} if "kinds" not in body else body
    answer = client.put(
        "/api/v1/notifications/preferences",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 422
    assert reason in answer.json()["detail"]
    # All or nothing: nothing was written.
    assert not Preference.objects.filter(person=world["bob"]).exists()
    assert not Settings.objects.filter(person=world["bob"]).exists()


def test_watching_a_space_one_may_not_read(world: dict[str, Any]) -> None:
    client = as_(world["bob"])

    def watch(space: Any) -> Any:
        return client.put(
            "/api/v1/notifications/preferences",
            {"spaces": [{"space_id": space.pk, "channel": "app"}]},
            content_type="application/json",
        )

    assert watch(world["secret"]).status_code == 404  # does not exist for him
    assert watch(world["private"]).status_code == 403  # its card, not its content


def test_reads_cost_a_fixed_number_of_queries(world: dict[str, Any], reacted: Any) -> None:
    client = as_(world["alice"])
    client.get("/api/v1/notifications/unread-count")  # warm the token's last-use stamp

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    # The token check (with the write generation), then the read path.
    assert count("/api/v1/notifications/unread-count") == 2
    # rows, their contents, the actors' names (no space subject here: no space query)
    assert count("/api/v1/notifications") == 1 + 3

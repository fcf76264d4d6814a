"""``/events/`` served for real (Granian, ASGI): who gets a stream, what it says, resuming
after ``Last-Event-ID``, heartbeats, and nothing left behind when a client goes away."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from django.utils import timezone
from sse_client import Stream

from rucher.conversations import actions
from rucher.live import hub
from rucher.notifications.models import Notification
from rucher.people.actions.tokens import create_token

TIMEOUT = httpx.Timeout(10.0)


def session_cookie(client_for: Any, person: Any) -> dict[str, str]:
    return {"sessionid": client_for(person).cookies["sessionid"].value}


@contextmanager
def stream(server: Any, path: str = "/events/", **options: Any) -> Iterator[Stream]:
    with httpx.stream("GET", server.url + path, timeout=TIMEOUT, **options) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield Stream(response)


def wait_until(condition: Any, what: str) -> None:
    for _ in range(200):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(what)


def test_anonymous_people_get_a_401_and_no_stream(asgi_server: Any) -> None:
    answer = httpx.get(asgi_server.url + "/events/", timeout=TIMEOUT)
    assert answer.status_code == 401
    assert answer.json() == {"detail": "connectez-vous pour recevoir les mises à jour en direct"}
    english = httpx.get(
        asgi_server.url + "/events/", headers={"Accept-Language": "en"}, timeout=TIMEOUT
    )
    assert english.json() == {"detail": "sign in to receive live updates"}
    forged = httpx.get(
        asgi_server.url + "/events/", cookies={"sessionid": "forged"}, timeout=TIMEOUT
    )
    assert forged.status_code == 401
    bad_token = httpx.get(
        asgi_server.url + "/events/",
        headers={"Authorization": "Bearer rch_nope"},
        timeout=TIMEOUT,
    )
    assert bad_token.status_code == 401
    assert httpx.post(asgi_server.url + "/events/", timeout=TIMEOUT).status_code == 405


def test_the_first_messages_say_where_the_stream_stands(
    asgi_server: Any, world: dict[str, Any], client_for: Any
) -> None:
    with stream(asgi_server, cookies=session_cookie(client_for, world["bob"])) as events:
        ready = events.next()
        assert ready["event"] == "ready"
        assert int(ready["id"]) >= 0
        assert events.next() == {"id": ready["id"], "event": "unread", "data": {"count": 0}}


def test_a_secret_post_is_never_pushed_to_a_non_member(
    asgi_server: Any, world: dict[str, Any], client_for: Any
) -> None:
    with stream(asgi_server, cookies=session_cookie(client_for, world["bob"])) as events:
        events.next("unread")
        actions.publish(world["alice"], world["secret"], "secret")
        actions.publish(world["alice"], world["private"], "private")
        actions.publish(world["alice"], world["partner"], "partner")
        opened = actions.publish(world["alice"], world["open"], "open to bob")
        posts = events.next("posts")
        # The first news bob hears is the open post, and only it.
        assert posts["data"] == {"count": 1}
        assert int(posts["id"]) >= opened.pk  # ids of the event log (after the post's own)


def test_an_api_token_may_subscribe(asgi_server: Any, world: dict[str, Any]) -> None:
    _, raw = create_token(world["bob"], "live", lifetime_days=None)
    with stream(asgi_server, headers={"Authorization": f"Bearer {raw}"}) as events:
        events.next("ready")
        actions.publish(world["alice"], world["open"], "hello")
        assert events.next("posts")["data"] == {"count": 1}


def test_reconnecting_with_last_event_id_loses_nothing(
    asgi_server: Any, world: dict[str, Any], client_for: Any
) -> None:
    cookies = session_cookie(client_for, world["bob"])
    with stream(asgi_server, cookies=cookies) as events:
        last = events.next("ready")["id"]
    # While bob is away: a post he may see, one he may not.
    actions.publish(world["alice"], world["open"], "while away")
    actions.publish(world["alice"], world["secret"], "never for bob")
    headers = {"Last-Event-ID": last}
    with stream(asgi_server, cookies=cookies, headers=headers) as events:
        ready = events.next("ready")
        assert int(ready["id"]) > int(last)
        posts = events.next("posts")
        assert posts["data"] == {"count": 1}
        assert posts["id"] == ready["id"]
    # Resuming from where the stream now stands replays nothing.
    with stream(asgi_server, cookies=cookies, headers={"Last-Event-ID": ready["id"]}) as events:
        events.next("ready")
        events.next("unread")
        actions.publish(world["alice"], world["open"], "new one")
        assert events.next("posts")["data"] == {"count": 1}


def test_replies_under_the_open_conversation(
    asgi_server: Any, world: dict[str, Any], client_for: Any
) -> None:
    root = actions.publish(world["alice"], world["open"], "a thread")
    cookies = session_cookie(client_for, world["bob"])
    with stream(asgi_server, f"/events/?content={root.pk}", cookies=cookies) as events:
        events.next("unread")
        actions.reply(world["alice"], root, "a reply")
        assert events.next("replies")["data"] == {"content": root.pk, "count": 1}
    secret = actions.publish(world["alice"], world["secret"], "secret thread")
    for path in (f"/events/?content={secret.pk}", "/events/?content=zzz"):
        answer = httpx.get(asgi_server.url + path, cookies=cookies, timeout=TIMEOUT)
        assert answer.status_code == 404


def test_the_unread_count_follows_the_notification_rows(
    asgi_server: Any,
    world: dict[str, Any],
    client_for: Any,
    notification_row: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows are written by the worker (another process): the poller finds them at its tick."""
    monkeypatch.setenv("RUCHER_LIVE_POLL_SECONDS", "0.2")
    with stream(asgi_server, cookies=session_cookie(client_for, world["bob"])) as events:
        assert events.next("unread")["data"] == {"count": 0}
        row = notification_row(world["bob"], actions.publish(world["alice"], world["open"], "@bob"))
        assert events.next("unread")["data"] == {"count": 1}
        Notification.objects.filter(pk=row.pk).update(read_at=timezone.now())
        assert events.next("unread")["data"] == {"count": 0}


def test_heartbeats_keep_a_quiet_stream_open(
    asgi_server: Any, world: dict[str, Any], client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub, "HEARTBEAT_SECONDS", 0.1)
    with stream(asgi_server, cookies=session_cookie(client_for, world["bob"])) as events:
        events.next("unread")
        time.sleep(0.5)  # a silence of several heartbeats
        actions.publish(world["alice"], world["open"], "after a silence")
        events.next("posts")
        assert ": keep-alive" in events.comments


def test_a_dropped_connection_is_forgotten(
    asgi_server: Any, world: dict[str, Any], client_for: Any
) -> None:
    def open_connections() -> int:
        return sum(len(h.connections) for h in hub._hubs.values())

    cookies = session_cookie(client_for, world["bob"])
    for _ in range(3):
        with stream(asgi_server, cookies=cookies) as events:
            events.next("unread")
            assert open_connections() == 1
    wait_until(lambda: open_connections() == 0, "a closed stream is still registered")
    # With nobody left, the poller task stops too.
    wait_until(lambda: all(h._task is None for h in hub._hubs.values()), "the poller kept running")


def test_new_messages_in_the_open_direct_conversation(
    asgi_server: Any, world: dict[str, Any], client_for: Any
) -> None:
    from rucher.messaging import actions as messaging

    conversation = messaging.start_conversation(world["alice"], [world["bob"].pk], "Bonjour")
    cookies = session_cookie(client_for, world["bob"])
    path = f"/events/?conversation={conversation.conversation_id}"
    with stream(asgi_server, path, cookies=cookies) as events:
        events.next("unread")
        messaging.send_message(world["alice"], conversation.conversation_id, "Tu es là ?")
        assert events.next("messages")["data"] == {
            "conversation": conversation.conversation_id,
            "count": 1,
        }
    # Nobody else follows it: not a colleague, not an administrator; nor a made-up id.
    for person in (world["carol"], world["admin"]):
        answer = httpx.get(
            asgi_server.url + path, cookies=session_cookie(client_for, person), timeout=TIMEOUT
        )
        assert answer.status_code == 404
        assert answer.json()["detail"] in ("conversation not found", "conversation introuvable")
    answer = httpx.get(asgi_server.url + "/events/?conversation=x", cookies=cookies)
    assert answer.status_code == 404

"""Deliveries end to end: a write, the worker, a real HTTP receiver. Signed, retried with
backoff, given up, replayed; a failing receiver never touches the write."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.conversations import actions as conversations
from rucher.conversations.models import Content
from rucher.webhooks import actions, sending, signing
from rucher.webhooks.models import Attempt, Delivery

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_post_is_delivered_signed_by_the_worker_not_by_the_write(
    world: dict[str, Any], receiver: Any, endpoint_for: Any, worker: Any
) -> None:
    endpoint = endpoint_for(receiver.url(), ("post.created",))
    post = conversations.publish(world["alice"], world["open"], "Bonjour #budget")
    assert receiver.requests == []  # the write returned before anything was sent
    worker.run()  # the subscriber makes the delivery and queues its first attempt, then sends
    [request] = receiver.requests
    delivery = Delivery.objects.get()
    assert (delivery.endpoint_id, delivery.status, delivery.attempt_count) == (
        endpoint.pk,
        Delivery.Status.SUCCEEDED,
        1,
    )
    assert delivery.response_status == 200 and delivery.response_excerpt == '{"ok": true}'
    assert delivery.latency_ms is not None
    assert request.path == "/hook"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers[signing.DELIVERY_HEADER] == str(delivery.uuid)
    assert request.headers[signing.EVENT_HEADER] == "post.created"
    assert signing.verify(endpoint.secret, request.headers[signing.SIGNATURE_HEADER], request.body)
    assert not signing.verify(
        "whsec_other", request.headers[signing.SIGNATURE_HEADER], request.body
    )
    body = request.json
    assert body["type"] == "post.created"
    assert body["event_id"] == Event.objects.get(verb="posted", object_id=post.pk).pk
    assert body["data"]["content"]["id"] == post.pk
    assert body["data"]["content"]["topics"] == ["budget"]
    assert body["data"]["content"]["space"]["name"] == "Ouvert"
    worker.run()  # nothing more: one delivery, one request
    assert len(receiver.requests) == 1 and Attempt.objects.count() == 1


def test_retries_on_500_timeout_and_refusal_then_succeeds_once_the_receiver_recovers(
    world: dict[str, Any],
    receiver: Any,
    endpoint_for: Any,
    worker: Any,
    answer: Any,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(sending, "TIMEOUT_SECONDS", 0.3)
    endpoint = endpoint_for(receiver.url(), ("comment.created",))
    receiver.script = [
        answer(500, body=b"<h1>Internal error</h1>" + b"x" * 5000),
        answer(200, delay=2.0),  # answers too late: a timeout
    ]
    post = conversations.publish(world["alice"], world["open"], "Un sujet")
    conversations.reply(world["bob"], post, "Un commentaire")
    worker.run()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempt_count == 1
    assert delivery.response_status == 500 and "500" in delivery.error
    assert delivery.response_excerpt.startswith("<h1>Internal error</h1>")
    assert len(delivery.response_excerpt) == sending.EXCERPT_BYTES  # the body read up to a limit
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > delivery.updated_at
    worker.run()  # the retry is not due yet
    assert len(receiver.requests) == 1

    worker.make_due()
    worker.run()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempt_count == 2
    assert "0.3" in delivery.error and delivery.response_status is None

    # The receiver goes away: connection refused.
    moved = receiver.url().replace(str(receiver.port), str(_free_port()))
    type(endpoint).objects.filter(pk=endpoint.pk).update(url=moved)
    worker.make_due()
    worker.run()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempt_count == 3
    assert "connect" in delivery.error

    type(endpoint).objects.filter(pk=endpoint.pk).update(url=receiver.url())
    worker.make_due()
    worker.run()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempt_count == 4
    assert Delivery.objects.count() == 1  # one delivery, whatever the attempts
    attempts = list(delivery.attempts.values_list("number", "succeeded", "response_status"))
    assert attempts == [(1, False, 500), (2, False, None), (3, False, None), (4, True, 200)]
    ids = {r.headers[signing.DELIVERY_HEADER] for r in receiver.requests}
    assert ids == {str(delivery.uuid)}  # the receiver dedupes on it
    assert len({r.body for r in receiver.requests}) == 1  # the same body every time
    worker.make_due()
    worker.run()
    assert delivery.attempts.count() == 4


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_redirect_is_a_failure_that_is_not_followed(
    world: dict[str, Any], receiver: Any, endpoint_for: Any, worker: Any, answer: Any
) -> None:
    endpoint_for(receiver.url(), ("member.joined",))
    receiver.default = answer(302, headers={"Location": receiver.url("/elsewhere")}, body=b"")
    conversations.publish(world["alice"], world["open"], "Rien")  # not subscribed: nothing
    from rucher.spaces.actions import join_space

    join_space(world["cm"], world["open"])
    worker.run()
    [request] = receiver.requests
    assert request.path == "/hook"  # /elsewhere never asked for
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.response_status == 302
    assert receiver.url("/elsewhere") in delivery.error
    assert request.json["data"]["person"]["username"] == "cm"


def test_gives_up_after_the_last_attempt_and_a_replay_starts_again(
    world: dict[str, Any],
    receiver: Any,
    endpoint_for: Any,
    worker: Any,
    answer: Any,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(sending, "MAX_ATTEMPTS", 3)
    endpoint_for(receiver.url(), ("post.created",))
    receiver.default = answer(503, body=b"down")
    conversations.publish(world["alice"], world["open"], "Toujours en panne")
    worker.run()
    for _round in range(4):
        worker.make_due()
        worker.run()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.GAVE_UP
    assert delivery.attempt_count == 3 and delivery.next_attempt_at is None
    assert len(receiver.requests) == 3 and worker.waiting() == 0

    receiver.default = answer(200)
    actions.replay_delivery(world["admin"], delivery.pk)
    worker.run()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempt_count == 4
    assert len(receiver.requests) == 4
    assert receiver.requests[-1].body == receiver.requests[0].body
    assert receiver.requests[-1].headers[signing.DELIVERY_HEADER] == str(delivery.uuid)
    assert Event.objects.filter(verb="sent_webhook", object_id=delivery.pk).count() == 1


def test_a_failing_receiver_never_breaks_the_write(
    world: dict[str, Any], refused_url: str, endpoint_for: Any, worker: Any
) -> None:
    endpoint_for(refused_url)
    post = conversations.publish(world["alice"], world["open"], "Publié quand même")
    assert Content.objects.filter(pk=post.pk).exists()  # committed; nothing sent yet
    assert Delivery.objects.count() == 0
    worker.run()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and "connect" in delivery.error
    assert Content.objects.filter(pk=post.pk, status="published").exists()


def test_a_deleted_post_is_not_sent_and_a_retried_subscriber_adds_nothing(
    world: dict[str, Any], receiver: Any, endpoint_for: Any, worker: Any
) -> None:
    from rucher.activity.tasks import event_from_payload, event_payload
    from rucher.webhooks.subscriber import on_event

    endpoint_for(receiver.url(), ("post.created",))
    gone = conversations.publish(world["alice"], world["open"], "Supprimé aussitôt")
    conversations.delete(world["alice"], gone)
    kept = conversations.publish(world["alice"], world["open"], "Gardé")
    worker.run()
    assert [r.json["data"]["content"]["id"] for r in receiver.requests] == [kept.pk]
    event = Event.objects.get(verb="posted", object_id=kept.pk)
    assert on_event(event_from_payload(event_payload(event))) == []  # at least once: no twin
    assert Delivery.objects.count() == 1

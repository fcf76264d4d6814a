"""Idempotency-Key on API POSTs: a retry after a lost answer gets the first answer back and
writes nothing again; the same key with another request is refused."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from rucher.conversations.models import Content
from rucher.idempotency.models import IdempotencyRecord
from rucher.idempotency.store import purge_expired
from rucher.people.actions.tokens import create_token

pytestmark = pytest.mark.django_db
JSON = "application/json"


def as_(person: Any, key: str | None = None) -> Client:
    _, raw = create_token(person)
    headers = {"Authorization": f"Bearer {raw}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return Client(headers=headers)


def publish(client: Client, space: Any, text: str = "Bonjour", **headers: Any) -> Any:
    return client.post(
        "/api/v1/posts", {"space_id": space.pk, "text": text}, content_type=JSON, headers=headers
    )


def test_a_retry_with_the_same_key_replays_the_first_answer(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    first = publish(client, world["open"], **{"Idempotency-Key": "k-1"})
    again = publish(client, world["open"], **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Content.objects.count() == 1


def test_without_a_key_each_post_is_new(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    publish(client, world["open"])
    publish(client, world["open"])
    assert Content.objects.count() == 2


def test_the_same_key_with_another_body_is_422(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    assert publish(client, world["open"], "un", **{"Idempotency-Key": "k"}).status_code == 201
    answer = publish(client, world["open"], "deux", **{"Idempotency-Key": "k"})
    assert answer.status_code == 422 and "Idempotency-Key" in answer.json()["detail"]
    assert Content.objects.count() == 1


def test_keys_belong_to_their_caller(world: dict[str, Any]) -> None:
    assert publish(as_(world["bob"]), world["open"], **{"Idempotency-Key": "k"}).status_code == 201
    other = publish(as_(world["alice"]), world["open"], **{"Idempotency-Key": "k"})
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert Content.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "é", "a\tb"])
def test_a_malformed_key_is_422(world: dict[str, Any], key: str) -> None:
    answer = publish(as_(world["bob"]), world["open"], **{"Idempotency-Key": key})
    assert answer.status_code == 422 and "ASCII" in answer.json()["detail"]
    assert not Content.objects.exists()


def test_errors_are_replayed_too_but_a_500_is_not_remembered(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = as_(world["bob"])
    refused = publish(client, world["open"], "", **{"Idempotency-Key": "empty"})
    assert refused.status_code == 422
    assert publish(client, world["open"], "", **{"Idempotency-Key": "empty"}).json() == (
        refused.json()
    )

    from rucher.api.routers import conversations

    real = conversations.actions.publish
    monkeypatch.setattr(conversations.actions, "publish", lambda *a, **k: 1 / 0)
    client.raise_request_exception = False
    assert publish(client, world["open"], **{"Idempotency-Key": "flaky"}).status_code == 500
    assert not IdempotencyRecord.objects.filter(key="api:flaky").exists()
    monkeypatch.setattr(conversations.actions, "publish", real)
    assert publish(client, world["open"], **{"Idempotency-Key": "flaky"}).status_code == 201


def test_expired_keys_are_forgotten(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    publish(client, world["open"], **{"Idempotency-Key": "old"})
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert publish(client, world["open"], **{"Idempotency-Key": "old"}).status_code == 201
    assert Content.objects.count() == 2
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_expired() == 1 and not IdempotencyRecord.objects.exists()


def test_token_creation_never_stores_the_secret(world: dict[str, Any]) -> None:
    answer = Client(headers={"Idempotency-Key": "t"}).post(
        "/api/v1/auth/tokens", {"username": "bob", "password": "demo"}, content_type=JSON
    )
    assert answer.status_code == 201 and not IdempotencyRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_with_one_key_write_once(world: dict[str, Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent writers need a server database (SQLite test databases are in memory)"
        )
    _, raw = create_token(world["bob"])
    barrier = threading.Barrier(4)
    answers: list[Any] = []

    def call() -> None:
        client = Client(headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "race"})
        barrier.wait()
        try:
            answers.append(publish(client, world["open"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["id"] for a in answers}) == 1
    assert Content.objects.count() == 1

"""Request budgets (rucher.web.pace): writes per account on pages and API, API reads per token,
a 429 with Retry-After and a sentence, and nothing written by a refused request."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from rucher.conversations.models import Content
from rucher.people.actions.tokens import create_token
from rucher.web import pace

pytestmark = pytest.mark.django_db


@pytest.fixture
def budgets(settings: Any) -> dict[str, str]:
    """Small budgets and a fresh counter store for this test."""
    settings.RUCHER_RATE_LIMITS = {"writes": "3/minute", "api_reads": "4/minute"}
    settings.RUCHER_RATE_LIMIT_STORAGE = "memory://"
    pace._limiter.cache_clear()
    yield settings.RUCHER_RATE_LIMITS
    pace._limiter.cache_clear()


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post_via_api(client: Client, space: Any, text: str) -> Any:
    return client.post(
        "/api/v1/posts", {"space_id": space.pk, "text": text}, content_type="application/json"
    )


def test_api_writes_past_the_budget_are_refused_with_retry_after_and_nothing_written(
    world: dict[str, Any], budgets: dict[str, str]
) -> None:
    _token, raw = create_token(world["bob"], "script")
    client = bearer(raw)
    for n in range(3):
        assert post_via_api(client, world["open"], f"message {n}").status_code == 201
    refused = post_via_api(client, world["open"], "one too many")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    detail = refused.json()["detail"]
    assert "attendez" in detail and refused["Retry-After"] in detail
    assert not Content.objects.filter(text="one too many").exists()


def test_each_token_has_its_own_budget_and_reads_are_counted_apart(
    world: dict[str, Any], budgets: dict[str, str]
) -> None:
    _a, first = create_token(world["bob"], "first")
    _b, second = create_token(world["bob"], "second")
    for _ in range(4):
        assert bearer(first).get("/api/v1/me").status_code == 200
    assert bearer(first).get("/api/v1/me").status_code == 429
    # Another token of the same person, and the first token's writes, are not spent.
    assert bearer(second).get("/api/v1/me").status_code == 200
    assert post_via_api(bearer(first), world["open"], "still allowed").status_code == 201


def test_web_writes_past_the_budget_get_a_page_that_says_when(
    world: dict[str, Any], budgets: dict[str, str]
) -> None:
    client = Client()
    client.force_login(world["bob"])
    space = world["open"]
    for n in range(3):
        answer = client.post(
            "/posts/new/", {"kind": "post", "space": space.pk, "text": f"page {n}"}
        )
        assert answer.status_code in (200, 302), answer.content[:300]
    refused = client.post("/posts/new/", {"kind": "post", "space": space.pk, "text": "de trop"})
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert "attendez" in refused.content.decode()  # French: the default language
    assert not Content.objects.filter(text="de trop").exists()
    # Reading pages is never counted.
    assert client.get("/").status_code == 200


def test_without_budgets_nothing_is_counted(world: dict[str, Any], settings: Any) -> None:
    settings.RUCHER_RATE_LIMITS = None
    _token, raw = create_token(world["bob"], "script")
    for _ in range(10):
        assert bearer(raw).get("/api/v1/me").status_code == 200


def test_the_sign_in_is_left_to_its_own_protection(
    world: dict[str, Any], budgets: dict[str, str]
) -> None:
    client = Client()
    for _ in range(5):
        answer = client.post("/login/", {"username": "bob", "password": "demo"})
        assert answer.status_code == 302


def test_with_redis_every_process_shares_one_count(world: dict[str, Any], settings: Any) -> None:
    """Two limiters on the same Redis, as two server processes have: the budget is one."""
    import os

    import redis
    from limits import storage, strategies

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.RUCHER_RATE_LIMITS = {"api_reads": "2/minute"}
    settings.RUCHER_RATE_LIMIT_STORAGE = "redis://127.0.0.1:6379/0"
    pace._limiter.cache_clear()
    _token, raw = create_token(world["bob"], "shared")  # a new secret: a counter of its own
    assert bearer(raw).get("/api/v1/me").status_code == 200
    # The "other process": its own limiter object over the same server.
    other = strategies.MovingWindowRateLimiter(
        storage.storage_from_string("redis://127.0.0.1:6379/0")
    )
    key = "token:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    assert other.hit(pace._item("2/minute"), "api_reads", key)
    assert bearer(raw).get("/api/v1/me").status_code == 429
    pace._limiter.cache_clear()


def test_the_directory_has_its_own_budget_and_is_refused_in_scim_terms(
    world: dict[str, Any], settings: Any
) -> None:
    """A directory sync (SCIM) is not a person writing: the writes budget does not stop it
    (scim2-tester against the demo's server once met 429s), its own budget does, with a
    SCIM error a SCIM client reads."""
    from rucher.provisioning.actions import create_connection

    settings.RUCHER_RATE_LIMITS = {
        "writes": "2/minute",
        "api_reads": "2/minute",
        "directory": "5/minute",
    }
    settings.RUCHER_RATE_LIMIT_STORAGE = "memory://"
    pace._limiter.cache_clear()
    _connection, token = create_connection(world["admin"], "annuaire")
    client = bearer(token)
    for n in range(5):
        answer = client.post(
            "/scim/v2/Users",
            {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": f"u{n}"},
            content_type="application/scim+json",
        )
        assert answer.status_code == 201, answer.content
    refused = client.get("/scim/v2/Users")
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/scim+json")
    body = refused.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == "429" and "annuaire" in body["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    pace._limiter.cache_clear()


def test_counting_in_process_starts_no_thread_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """``limits``' memory storage starts a 10 ms timer thread whenever the last one is done;
    rucher's drops expired entries in the counting thread, at most once a second, and still
    drops them (the moving window's lists stay bounded)."""
    import threading
    import time

    from limits import parse

    started: list[float] = []
    timer = threading.Timer

    def counted(*args: Any, **kwargs: Any) -> threading.Timer:
        started.append(time.monotonic())
        return timer(*args, **kwargs)

    monkeypatch.setattr(threading, "Timer", counted)
    monkeypatch.setattr(pace.ProcessCounts, "EXPIRE_EVERY_SECONDS", 0.05)
    limiter = pace._limiter.__wrapped__("memory://")
    counts = limiter.storage
    assert isinstance(counts, pace.ProcessCounts)
    item = parse("2/second")
    assert limiter.hit(item, "api_reads", "k") and limiter.hit(item, "api_reads", "k")
    for _ in range(4):  # each after the library's timer would have ended
        time.sleep(0.015)
        limiter.hit(item, "api_reads", "other")
    assert len(started) == 1  # the library's first timer, from its constructor
    time.sleep(1.1)  # the two entries of "k" expire, and the next count drops them
    assert limiter.hit(item, "api_reads", "k")
    (entries,) = [found for key, found in counts.events.items() if "/api_reads/k/" in key]
    assert len(entries) == 1  # without the dropping: 3

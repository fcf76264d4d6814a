"""Sign-in throttling (people/throttle.py): after MAX_FAILURES wrong passwords an account is
locked for the whole window, for every worker process, on the web form and the API alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_password_guessing_is_throttled(world: dict[str, Any]) -> None:
    client = Client()
    for _ in range(30):
        client.post(
            "/api/v1/auth/tokens",
            {"username": "bob", "password": "wrong"},
            content_type="application/json",
        )
    answer = client.post(
        "/api/v1/auth/tokens",
        {"username": "bob", "password": "demo"},
        content_type="application/json",
    )
    assert answer.status_code == 429, "30 wrong guesses, then the right one still succeeds"


def test_the_lockout_holds_for_every_worker_process(world: dict[str, Any]) -> None:
    """The failure counts live where every process sees them (the database): another worker,
    whose own memory cache knows nothing, refuses too."""
    from django.core.cache import caches

    from rucher.people.models import SignInFailure

    client = Client()
    for _ in range(10):
        client.post("/login/", {"username": "bob", "password": "wrong"})
    caches["default"].clear()  # what a fresh worker process would hold
    assert SignInFailure.objects.get(key="u:bob").count == 10
    refused = Client().post(
        "/api/v1/auth/tokens",
        {"username": "bob", "password": "demo"},
        content_type="application/json",
    )
    assert refused.status_code == 429


def test_the_lockout_lasts_the_whole_window(world: dict[str, Any]) -> None:
    """A cache's incr once reset the expiry to its 5-minute default: the window is counted in
    a table, from its first failure."""
    from datetime import timedelta

    from django.utils import timezone

    from rucher.people import throttle
    from rucher.people.models import SignInFailure

    for _ in range(throttle.MAX_FAILURES):
        throttle.record_failure("bob", None)
    window = SignInFailure.objects.filter(key="u:bob")
    window.update(window_start=timezone.now() - timedelta(minutes=14))
    assert throttle.is_locked("bob", None)  # 14 minutes on: still inside the window
    window.update(window_start=timezone.now() - timedelta(minutes=16))
    assert not throttle.is_locked("bob", None)
    throttle.record_failure("bob", None)  # a new window starts at one failure
    assert window.get().count == 1 and not throttle.is_locked("bob", None)
    throttle.clear_failures("bob")
    assert not window.exists()

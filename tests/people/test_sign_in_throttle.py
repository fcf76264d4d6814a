"""Sign-in throttling protects without locking the organisation out (people/throttle.py).

The probe: behind a reverse proxy every user shares one address, and ten anonymous bad
sign-ins locked everybody out for 15 minutes.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from rucher.people import throttle
from rucher.people.models import SignInFailure

pytestmark = pytest.mark.django_db

FAST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",  # the dummy hash of unknown usernames
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]


def token_request(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(
        "/api/v1/auth/tokens",
        {"username": username, "password": password},
        content_type="application/json",
        **extra,
    )


def test_a_thousand_failures_from_one_address_never_stop_another_users_password(
    world: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # The throttle's clock stands still: on a slow machine the thousand requests can take
    # longer than bob's delays, which then lapse and let his right password through.
    stopped = timezone.now()
    monkeypatch.setattr(throttle, "timezone", SimpleNamespace(now=lambda: stopped))
    attacker = Client()
    for n in range(1000):
        username = "bob" if n % 10 == 0 else f"nobody{n % 250}"
        if n % 2:
            attacker.post("/login/", {"username": username, "password": f"guess{n}"})
        else:
            token_request(attacker, username, f"guess{n}")
    assert SignInFailure.objects.get(key="a:127.0.0.1").count > throttle.ADDRESS_MAX_FAILURES

    # A colleague behind the same address (the proxy's) signs in, on the web and the API.
    web = Client().post("/login/", {"username": "alice", "password": "demo"})
    assert web.status_code == 302 and web.url == "/"
    api = token_request(Client(), "alice", "demo")
    assert api.status_code == 201, api.content
    # The address's wrong passwords are told off (429) rather than "wrong password" (401).
    assert token_request(Client(), "carol", "nope").status_code == 429
    assert token_request(Client(), "carol", "demo").status_code == 201
    # The account that was guessed is slowed down, even with its right password.
    assert token_request(Client(), "bob", "demo").status_code == 429


def test_guessing_one_account_stays_slow_and_the_delays_grow(world: dict[str, Any]) -> None:
    account = SignInFailure.objects.filter(key="u:bob")
    delays = []
    for n in range(12):
        # A new address each time: the account's delay does not care where guesses come from.
        answer = token_request(Client(), "bob", "wrong", REMOTE_ADDR=f"198.51.100.{n}")
        assert answer.status_code in (401, 429)
        row = account.get()
        delays.append(
            (row.blocked_until - timezone.now()).total_seconds() if row.blocked_until else 0
        )
        if row.blocked_until:
            refused = token_request(Client(), "bob", "demo", REMOTE_ADDR="192.0.2.77")
            assert refused.status_code == 429, "inside the delay even the right password waits"
            assert "seconds" in refused.json()["detail"] or "secondes" in refused.json()["detail"]
            account.update(blocked_until=timezone.now() - timedelta(seconds=1))  # time passes
    free = throttle.ACCOUNT_FREE_FAILURES
    assert all(d == 0 for d in delays[: free - 1])
    grown = delays[free - 1 :]
    assert all(later > 1.5 * earlier for earlier, later in itertools.pairwise(grown))
    assert grown[-1] > 60
    assert account.get().count == 12
    # Once the delay has passed, the right password works and forgets the failures.
    assert token_request(Client(), "bob", "demo").status_code == 201
    assert not account.exists()


def test_simultaneous_attempts_cannot_share_one_slot(world: dict[str, Any]) -> None:
    for _ in range(throttle.ACCOUNT_FREE_FAILURES + 3):
        throttle.record_failure("bob", None)
    SignInFailure.objects.filter(key="u:bob").update(blocked_until=None)
    assert throttle.claim_attempt("bob") is None
    second = throttle.claim_attempt("bob")
    assert second is not None and second.reason == "account"
    assert second.retry_after >= 2**3 - 1


def test_the_web_sign_in_page_explains_the_wait(world: dict[str, Any]) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(throttle.ACCOUNT_FREE_FAILURES):
        assert client.post("/login/", {"username": "bob", "password": "x"}).status_code == 200
    page = client.post("/login/", {"username": "bob", "password": "demo"})
    assert page.status_code == 429
    assert "too many failed sign-ins for this account" in page.content.decode()
    assert "Forgot your password?" in page.content.decode()


# --- the client address behind trusted proxies -------------------------------------------


def address(settings: Any, trusted: list[str], peer: str, forwarded: str | None = None) -> Any:
    settings.RUCHER_TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return throttle.client_address(RequestFactory().post("/login/", **meta))


def test_forwarded_for_is_ignored_from_an_untrusted_peer(settings: Any) -> None:
    assert address(settings, [], "203.0.113.9", "10.9.9.9") == "203.0.113.9"
    assert address(settings, ["10.0.0.1"], "203.0.113.9", "10.9.9.9") == "203.0.113.9"


def test_forwarded_for_is_read_from_a_trusted_proxy(settings: Any) -> None:
    assert address(settings, ["10.0.0.1"], "10.0.0.1", "198.51.100.4") == "198.51.100.4"
    # A client's own (spoofed) entry sits left of the real one: the proxy appended the peer.
    spoofed = "1.2.3.4, 198.51.100.4"
    assert address(settings, ["10.0.0.1"], "10.0.0.1", spoofed) == "198.51.100.4"
    # Two layers of proxies, given as a network.
    chain = "1.2.3.4, 198.51.100.4, 10.0.0.7"
    assert address(settings, ["10.0.0.0/24"], "10.0.0.1", chain) == "198.51.100.4"
    assert address(settings, ["::1", "10.0.0.0/8"], "::1", "2001:db8::5") == "2001:db8::5"
    # No header, garbage, or only proxies: the peer (or the left-most proxy) it is.
    assert address(settings, ["10.0.0.1"], "10.0.0.1") == "10.0.0.1"
    assert address(settings, ["10.0.0.1"], "10.0.0.1", "not-an-ip") == "10.0.0.1"
    assert address(settings, ["10.0.0.1"], "10.0.0.1", "garbage, 198.51.100.4") == "198.51.100.4"
    assert address(settings, ["10.0.0.0/8"], "10.0.0.1", "10.0.0.2") == "10.0.0.1"


def test_failures_are_counted_against_the_forwarded_address(
    world: dict[str, Any], settings: Any
) -> None:
    settings.RUCHER_TRUSTED_PROXIES = ["127.0.0.1"]
    token_request(Client(), "bob", "x", HTTP_X_FORWARDED_FOR="198.51.100.4")
    settings.RUCHER_TRUSTED_PROXIES = []
    token_request(Client(), "bob", "x", HTTP_X_FORWARDED_FOR="198.51.100.99")  # spoofed
    assert set(
        SignInFailure.objects.filter(key__startswith="a:").values_list("key", flat=True)
    ) == {
        "a:198.51.100.4",
        "a:127.0.0.1",
    }


def test_a_malformed_trusted_proxy_setting_is_refused() -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "rucher.settings",
            "RUCHER_TRUSTED_PROXIES": "10.0.0.1,proxy.example",
        },
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and "RUCHER_TRUSTED_PROXIES" in run.stderr


def test_the_lockout_holds_for_every_worker_process(world: dict[str, Any]) -> None:
    """The failure counts live where every process sees them (the database): another worker,
    whose own memory cache knows nothing, refuses too."""
    from django.core.cache import caches

    from rucher.people import throttle
    from rucher.people.models import SignInFailure

    client = Client()
    for _ in range(10):
        client.post("/login/", {"username": "bob", "password": "wrong"})
    caches["default"].clear()  # what a fresh worker process would hold
    # The free failures, then bob's account waits: the other five were refused unchecked.
    assert SignInFailure.objects.get(key="u:bob").count == throttle.ACCOUNT_FREE_FAILURES
    refused = Client().post(
        "/api/v1/auth/tokens",
        {"username": "bob", "password": "demo"},
        content_type="application/json",
    )
    assert refused.status_code == 429


def test_failures_are_remembered_a_day_after_the_last(world: dict[str, Any]) -> None:
    """Review of session 2: a cache's incr reset the expiry to its 5-minute default. An
    account's failures are now remembered for a day after the last one."""
    from datetime import timedelta

    from django.utils import timezone

    from rucher.people import throttle
    from rucher.people.models import SignInFailure

    for _ in range(throttle.ACCOUNT_FREE_FAILURES + 2):
        throttle.record_failure("bob", None)
    window = SignInFailure.objects.filter(key="u:bob")
    window.update(blocked_until=None, window_start=timezone.now() - timedelta(hours=23))
    assert throttle.claim_attempt("bob") is None  # the slot is taken…
    assert throttle.claim_attempt("bob") is not None  # …and the next attempt must wait
    window.update(blocked_until=None, window_start=timezone.now() - timedelta(hours=25))
    throttle.record_failure("bob", None)  # a day on, counting starts again at one failure
    assert window.get().count == 1 and throttle.claim_attempt("bob") is None
    throttle.clear_failures("bob")
    assert not window.exists()

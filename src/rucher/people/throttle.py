"""Password guessing is throttled.

After ``MAX_FAILURES`` failed sign-ins for one username, or from one address, within
``WINDOW_SECONDS``, further attempts are refused (even with the right password) until the
window has passed. Counts live in the "shared" cache, which every process and host sees: the
database by default, Redis when REDIS_URL is set (settings.py, docs/deploy.md).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _cache() -> Any:
    return caches["shared"]


def _keys(username: str | None, address: str | None) -> list[str]:
    keys = []
    if username:
        keys.append(f"signin-fail:u:{username.lower()[:150]}")
    if address:
        keys.append(f"signin-fail:a:{address}")
    return keys


def client_address(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def is_locked(username: str | None, address: str | None) -> bool:
    counts = _cache().get_many(_keys(username, address))
    return any(count >= MAX_FAILURES for count in counts.values())


def record_failure(username: str | None, address: str | None) -> None:
    cache = _cache()
    for key in _keys(username, address):
        if cache.add(key, 1, WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)


def clear_failures(username: str | None) -> None:
    _cache().delete_many(_keys(username, None))


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing while a username or address is locked out."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        address = client_address(request)
        if is_locked(username, address):
            raise PermissionDenied("too many failed sign-ins: try again later")
        person = super().authenticate(request, username=username, password=password, **kwargs)
        if person is None:
            record_failure(username, address)
        else:
            clear_failures(username)
        return person

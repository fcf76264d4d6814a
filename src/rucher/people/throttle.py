"""Password guessing is throttled.

After ``MAX_FAILURES`` failed sign-ins for one username, or from one address, within
``WINDOW_SECONDS`` of the first, further attempts are refused (even with the right password)
until the window has passed. Counts live in the database (``SignInFailure``), which every
worker process and host shares, and grow with an atomic ``count + 1``: simultaneous failures
cannot overwrite each other, and nothing evicts a lockout to make room.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from rucher.people.models import SignInFailure

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60
WINDOW = timedelta(seconds=WINDOW_SECONDS)


def _keys(username: str | None, address: str | None) -> list[str]:
    keys = []
    if username:
        keys.append(f"u:{username.lower()[:150]}")
    if address:
        keys.append(f"a:{address[:45]}")
    return keys


def client_address(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def is_locked(username: str | None, address: str | None) -> bool:
    return SignInFailure.objects.filter(
        key__in=_keys(username, address),
        count__gte=MAX_FAILURES,
        window_start__gt=timezone.now() - WINDOW,
    ).exists()


def _count_one(key: str) -> None:
    now = timezone.now()
    current = SignInFailure.objects.filter(key=key, window_start__gt=now - WINDOW)
    if current.update(count=F("count") + 1):
        return
    # No open window: start one over an expired row (only one of several concurrent
    # failures can match it), or create the row.
    expired = SignInFailure.objects.filter(key=key, window_start__lte=now - WINDOW)
    if expired.update(count=1, window_start=now):
        return
    try:
        with transaction.atomic():
            SignInFailure.objects.create(key=key, count=1, window_start=now)
    except IntegrityError:  # another process started it a moment ago
        SignInFailure.objects.filter(key=key).update(count=F("count") + 1)


def record_failure(username: str | None, address: str | None) -> None:
    for key in _keys(username, address):
        _count_one(key)


def clear_failures(username: str | None) -> None:
    SignInFailure.objects.filter(key__in=_keys(username, None)).delete()


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

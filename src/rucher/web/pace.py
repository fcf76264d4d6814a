"""Rate limits on writes (web and API) and on API reads, per account and per token.

A script gone wrong, or a leaked token, should not be able to flood every stream or load the
server for everyone. Each signed-in account, and each API token apart (a token's budget is
its own, whoever owns it), gets two budgets over the last minute: its writes (POST, PUT,
PATCH, DELETE, on pages and on the API) and its API reads. Past a budget the answer is a 429
with ``Retry-After`` and a sentence saying when to try again (JSON on the API, a page or an
HTMX fragment on the web). Sign-in and password resets are not counted here: they have their
own per-account and per-address protection (rucher.people.throttle).

Counting uses the ``limits`` library (a moving window: exact, whatever the clock's minute),
in Redis when ``REDIS_URL`` is set, so that every process shares one count; without it, each
process counts for itself (a budget then applies per process: with N web processes an
account may reach N times it).
``RUCHER_RATE_LIMITS`` sets the budgets (docs/deploy.md); ``None`` turns them off.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import ngettext
from limits import RateLimitItem, parse, storage, strategies
from limits.storage import MemoryStorage

from rucher.errors import TooManyRequests

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Paths protected by their own throttles (and reached before anyone is signed in).
NOT_COUNTED = ("/login/", "/password/reset/", "/api/v1/auth/")
API_PREFIX = "/api/"
# The directory's provisioning (rucher.provisioning): one budget for all it asks, its own.
SCIM_PREFIX = "/scim/"


class ProcessCounts(MemoryStorage):
    """``limits``' memory storage, its expired entries dropped in the counting thread at most
    once a second. The library's own starts a thread on every count whose previous one is
    done (a 10 ms timer): at hundreds of API reads a second, a hundred thread starts a second,
    each taking the interpreter's lock from the requests (docs/performance.md, issue 14).
    Whether a count is refused never depends on the dropping: the moving window compares the
    times of the entries themselves."""

    EXPIRE_EVERY_SECONDS = 1.0

    def __init__(self) -> None:
        super().__init__()  # starts the library's timer once, which runs once and ends
        self.expired_at = time.monotonic()

    # The library's private hook, called before every count (limits 5: a test fails when it
    # is no longer the one called, tests/web/test_pace.py).
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now - self.expired_at >= self.EXPIRE_EVERY_SECONDS:
            self.expired_at = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


@cache
def _limiter(storage_uri: str) -> strategies.RateLimiter:
    counts = ProcessCounts() if storage_uri == "memory://" else None
    return strategies.MovingWindowRateLimiter(counts or storage.storage_from_string(storage_uri))


@cache
def _item(rate: str) -> RateLimitItem:
    return parse(rate)


def _budgets() -> dict[str, str] | None:
    configured: dict[str, str] | None = getattr(settings, "RUCHER_RATE_LIMITS", None)
    return configured


def _storage_uri() -> str:
    return getattr(settings, "RUCHER_RATE_LIMIT_STORAGE", "memory://")


def _caller_key(request: HttpRequest) -> str | None:
    """``token:<digest>`` for a Bearer token, ``person:<id>`` for a session, None otherwise."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        # The digest of the secret, never the secret itself, names the counter.
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"person:{user.pk}"
    return None


def check(request: HttpRequest) -> None:
    """Count this request against its caller's budget; TooManyRequests past it."""
    budgets = _budgets()
    if not budgets or request.path_info.startswith(NOT_COUNTED):
        return
    is_api = request.path_info.startswith(API_PREFIX)
    if request.path_info.startswith(SCIM_PREFIX):
        budget = "directory"
    elif request.method in WRITE_METHODS:
        budget = "writes"
    elif is_api:
        budget = "api_reads"
    else:
        return
    rate = budgets.get(budget)
    key = _caller_key(request)
    if not rate or key is None:
        return
    limiter = _limiter(_storage_uri())
    item = _item(rate)
    if limiter.hit(item, budget, key):
        return
    reset_at = limiter.get_window_stats(item, budget, key).reset_time
    wait = max(1, math.ceil(reset_at - time.time()))
    if budget == "directory":
        message = ngettext(
            "The directory sent many requests in a short time: wait %(seconds)d second, "
            "then try again.",
            "The directory sent many requests in a short time: wait %(seconds)d seconds, "
            "then try again.",
            wait,
        ) % {"seconds": wait}
    elif budget == "writes":
        message = ngettext(
            "You have made many changes in a short time: wait %(seconds)d second, then try again.",
            "You have made many changes in a short time: wait %(seconds)d seconds, then try again.",
            wait,
        ) % {"seconds": wait}
    else:
        message = ngettext(
            "Too many API requests in a short time: wait %(seconds)d second, then try again.",
            "Too many API requests in a short time: wait %(seconds)d seconds, then try again.",
            wait,
        ) % {"seconds": wait}
    raise TooManyRequests(message, retry_after=wait)


class RequestPace:
    """The middleware: after authentication (it needs ``request.user``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            check(request)
        except TooManyRequests as refusal:
            return _refusal(request, refusal)
        return self.get_response(request)


def _refusal(request: HttpRequest, refusal: TooManyRequests) -> HttpResponseBase:
    if request.path_info.startswith(SCIM_PREFIX):
        # A SCIM client reads SCIM errors (RFC 7644 §3.12), with the status as a string.
        scim: HttpResponseBase = JsonResponse(
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "429",
                "detail": refusal.message,
            },
            status=429,
            content_type="application/scim+json",
        )
        scim["Retry-After"] = str(refusal.retry_after)
        return scim
    if request.path_info.startswith(API_PREFIX):
        response: HttpResponseBase = JsonResponse({"detail": refusal.message}, status=429)
        response["Retry-After"] = str(refusal.retry_after)
        return response
    from rucher.web.errors import error_page

    return error_page(request, refusal)

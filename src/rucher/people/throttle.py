"""Password guessing is slowed down, without locking anybody else out.

Two counts, both rows of ``SignInFailure`` (shared by every worker and host, grown with an
atomic ``count + 1``):

* **per account** (``u:<username>``): the first ``ACCOUNT_FREE_FAILURES`` failures cost
  nothing; from then on the account accepts one attempt per delay, and the delay doubles with
  each further failure (1 s, 2 s, 4 s … capped at ``ACCOUNT_MAX_DELAY``). An attempt inside
  the delay is refused *without checking the password*, so guessing that one account stays
  slow whatever the number of addresses the guesser uses. Each slot is claimed with a
  compare-and-swap, so simultaneous attempts cannot share it. The count is forgotten a day
  after the last failure, and cleared by a successful sign-in or the account's own password
  reset. It only ever slows that one account.
* **per client address** (``a:<address>``): past ``ADDRESS_MAX_FAILURES`` failures within
  ``ADDRESS_WINDOW``, wrong passwords and unknown usernames from that address get "too many
  attempts" (HTTP 429) instead of "wrong password", but **correct credentials always pass**:
  behind a reverse proxy a whole organisation may share one address, and one person's (or
  one attacker's) failures must never keep colleagues out.

The client address is ``REMOTE_ADDR``, or, when the direct peer is one of
``RUCHER_TRUSTED_PROXIES`` (comma-separated addresses or CIDR networks), the nearest address
in ``X-Forwarded-For`` that is not itself a trusted proxy. ``X-Forwarded-For`` from any other
peer is ignored: a client could write anything there.

Password-reset e-mails are limited the same way (``claim_reset``): at most
``RESET_MAX_PER_EMAIL`` requests per address typed and ``RESET_MAX_PER_CLIENT`` per client
address within ``RESET_WINDOW``, counted whether or not the e-mail belongs to someone (the
limit must not tell), so nobody can flood a colleague's inbox or use rucher to spam.

Why not django-axes: docs/architecture.md ("Sign-in throttling").
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.audit.trail import append as audit
from rucher.people.models import Person, SignInFailure

ACCOUNT_FREE_FAILURES = 5
ACCOUNT_BASE_DELAY = timedelta(seconds=1)
ACCOUNT_MAX_DELAY = timedelta(minutes=15)
ACCOUNT_MEMORY = timedelta(hours=24)
ADDRESS_MAX_FAILURES = 50
ADDRESS_WINDOW = timedelta(minutes=15)
RESET_WINDOW = timedelta(hours=1)
RESET_MAX_PER_EMAIL = 3
RESET_MAX_PER_CLIENT = 20

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in was refused without a "wrong password": the account is in its delay, or
    the address is over its limit (and the credentials were wrong)."""

    reason: str  # "account", "address" or "reset"
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        if self.reason == "account":
            return _(
                "too many failed sign-ins for this account: try again in %(seconds)s seconds, "
                "or reset your password"
            ) % {"seconds": self.retry_after}
        if self.reason == "reset":
            return _("too many password reset requests: try again in %(minutes)s minutes") % {
                "minutes": math.ceil(self.retry_after / 60)
            }
        return _("too many failed sign-ins from your network: try again in %(seconds)s seconds") % {
            "seconds": self.retry_after
        }


# --- client address -------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "RUCHER_TRUSTED_PROXIES", ())))


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.9:443
        value = value.split(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _is_trusted(address: Any, networks: tuple[Network, ...]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_address(request: HttpRequest | None) -> str | None:
    """The address to count failures against (see the module's docstring)."""
    if request is None:
        return None
    peer = _parse(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = trusted_proxies()
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):  # the right-most entries were written by our own proxies
        address = _parse(hop)
        if address is None:  # garbage: stop trusting the chain here
            break
        if not _is_trusted(address, networks):
            return str(address)
    return str(peer)


# --- counts -----------------------------------------------------------------------------------


def _account_key(username: str | None) -> str | None:
    return f"u:{username.lower()[:150]}" if username else None


def _address_key(address: str | None) -> str | None:
    return f"a:{address[:45]}" if address else None


def account_delay(failures: int) -> timedelta:
    """How long an account waits between attempts after ``failures`` failures."""
    if failures < ACCOUNT_FREE_FAILURES:
        return timedelta(0)
    steps = min(failures - ACCOUNT_FREE_FAILURES, 20)
    return min(ACCOUNT_BASE_DELAY * (2**steps), ACCOUNT_MAX_DELAY)


def _seconds(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def claim_attempt(username: str | None) -> Refusal | None:
    """May this account try a password now? Takes the account's next slot if it has delays."""
    key = _account_key(username)
    if key is None:
        return None
    now = timezone.now()
    row = SignInFailure.objects.filter(key=key, window_start__gt=now - ACCOUNT_MEMORY).first()
    if row is None:
        return None
    if row.blocked_until is not None and row.blocked_until > now:
        return Refusal("account", _seconds(row.blocked_until, now))
    delay = account_delay(row.count)
    if not delay:
        return None
    # Compare-and-swap: of several attempts arriving together, one takes the slot.
    claimed = SignInFailure.objects.filter(key=key, blocked_until=row.blocked_until).update(
        blocked_until=now + delay
    )
    return None if claimed else Refusal("account", _seconds(now + delay, now))


def _count(key: str, window: timedelta, now: datetime) -> None:
    current = SignInFailure.objects.filter(key=key, window_start__gt=now - window)
    if current.update(count=F("count") + 1):
        return
    # No open window: start one over an expired row (only one of several concurrent
    # failures can match it), or create the row.
    expired = SignInFailure.objects.filter(key=key, window_start__lte=now - window)
    if expired.update(count=1, window_start=now, blocked_until=None):
        return
    try:
        with transaction.atomic():
            SignInFailure.objects.create(key=key, count=1, window_start=now)
    except IntegrityError:  # another process started it a moment ago
        SignInFailure.objects.filter(key=key).update(count=F("count") + 1)


def record_failure(username: str | None, address: str | None) -> None:
    now = timezone.now()
    if key := _account_key(username):
        _count(key, ACCOUNT_MEMORY, now)
        failures = SignInFailure.objects.filter(key=key).values_list("count", flat=True).first()
        delay = account_delay(failures or 0)
        # For an account, window_start is the last failure: the count is forgotten a day on.
        SignInFailure.objects.filter(key=key).update(
            window_start=now, blocked_until=(now + delay) if delay else None
        )
    if key := _address_key(address):
        _count(key, ADDRESS_WINDOW, now)


def address_refusal(address: str | None) -> Refusal | None:
    """The refusal for a *failed* attempt from an address over its limit."""
    key = _address_key(address)
    if key is None:
        return None
    now = timezone.now()
    row = SignInFailure.objects.filter(
        key=key, count__gt=ADDRESS_MAX_FAILURES, window_start__gt=now - ADDRESS_WINDOW
    ).first()
    return Refusal("address", _seconds(row.window_start + ADDRESS_WINDOW, now)) if row else None


def clear_failures(username: str | None) -> None:
    """Lift the account's delays (successful sign-in, or its own password reset)."""
    if key := _account_key(username):
        SignInFailure.objects.filter(key=key).delete()


def refusal_of(request: HttpRequest | None) -> Refusal | None:
    """The refusal the backend noted on this request, if the sign-in was throttled."""
    return getattr(request, "sign_in_refusal", None)


class ThrottledModelBackend(ModelBackend):
    """Django's model backend with the delays and limits above.

    A throttled attempt leaves a ``Refusal`` on ``request.sign_in_refusal`` for the sign-in
    page and the token endpoint to explain (HTTP 429).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is not None:
            request.sign_in_refusal = None  # type: ignore[attr-defined]
        refusal = claim_attempt(username)
        if refusal is not None:
            audit(
                "sign_in_refused",
                **_who(username),
                address=client_address(request),
                detail={"wait_seconds": refusal.retry_after},
            )
            if request is not None:
                request.sign_in_refusal = refusal  # type: ignore[attr-defined]
            raise PermissionDenied(refusal.message)
        person = super().authenticate(request, username=username, password=password, **kwargs)
        if person is None:
            address = client_address(request)
            record_failure(username, address)
            audit("sign_in_failed", **_who(username), address=address)
            if request is not None:
                request.sign_in_refusal = address_refusal(address)  # type: ignore[attr-defined]
            return None
        clear_failures(username)
        return person


def _who(username: str | None) -> dict[str, Any]:
    """How the audit trail names a sign-in attempt: an existing account by its id (the trail
    names no member: an erased one must leave no name in it), anything else as typed."""
    if not username:
        return {"actor_label": ""}
    account = Person.objects.filter(username__iexact=username).values_list("pk", flat=True).first()
    return {"actor_id": account} if account is not None else {"actor_label": username}


def claim_reset(email: str, address: str | None) -> Refusal | None:
    """May a password-reset e-mail be sent to ``email`` for this client now? Counts it if so."""
    now = timezone.now()
    limits = [(f"r:{email.strip().lower()[:150]}", RESET_MAX_PER_EMAIL)]
    if address:
        limits.append((f"ra:{address[:45]}", RESET_MAX_PER_CLIENT))
    for key, limit in limits:
        row = SignInFailure.objects.filter(
            key=key, count__gte=limit, window_start__gt=now - RESET_WINDOW
        ).first()
        if row is not None:
            return Refusal("reset", _seconds(row.window_start + RESET_WINDOW, now))
    for key, _limit in limits:
        _count(key, RESET_WINDOW, now)
    return None

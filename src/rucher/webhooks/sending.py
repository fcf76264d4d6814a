"""Sending a delivery, in the worker: one task per attempt, retried with exponential backoff.

``send_delivery(delivery_id, attempt)`` is a django-tasks task (the database queue that
``rucher worker`` runs, docs/architecture.md "After commit: the worker"). It makes one attempt,
records it (an ``Attempt`` row and the delivery's summary), and on failure enqueues the next
attempt with ``run_after``: 1 minute doubling up to a 2-hour cap, ``MAX_ATTEMPTS`` in all
(about 24 hours), then gives up. The next attempt is enqueued in the same transaction that
records this one (the queue is a table of the same database), so no attempt is lost between
the two.

An attempt is recorded only if the delivery still expects it (``attempt_count`` is one less):
a task run twice (a worker killed mid-send, its task re-run after the lease), or a replay racing
a scheduled retry, sends at most once more and never records or schedules twice. Receivers
dedupe on the ``Rucher-Delivery`` header.

The HTTP client is urllib3 (MIT): the host's name is resolved and checked here
(``addresses.resolve``) and the connection is made to that very address, with the name in the
``Host`` header and as the TLS server name, so a name that resolves elsewhere between the check
and the connection (DNS rebinding) cannot reach a forbidden address. Redirects are not
followed (a 3xx is a failure that records its ``Location``); the answer's body is read up to
``EXCERPT_BYTES``; connecting and each read time out after ``TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta

import urllib3
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from rucher.errors import ActionError
from rucher.webhooks import addresses, events, signing
from rucher.webhooks.models import Attempt, Delivery, Endpoint

logger = logging.getLogger("rucher.webhooks")

# 19 attempts: retries after 1, 2, 4, 8, 16, 32, 64 minutes, then every 2 hours (the cap)
# eleven times: about 24 hours (a little more with the jitter) before giving up.
MAX_ATTEMPTS = 19
RETRY_BASE_SECONDS = 60
RETRY_CAP_SECONDS = 2 * 3600
TIMEOUT_SECONDS = 5.0
EXCERPT_BYTES = 2048
USER_AGENT = "rucher-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    response_status: int | None = None
    latency_ms: int | None = None
    excerpt: str = ""
    error: str = ""


def backoff(attempt_in_round: int) -> timedelta:
    """The wait after failed attempt ``attempt_in_round`` (1-based): 1 min doubling up to
    2 h, plus 0–10 % so that endpoints down together are not all retried at the same second."""
    seconds = min(RETRY_BASE_SECONDS * 2 ** (attempt_in_round - 1), RETRY_CAP_SECONDS)
    return timedelta(seconds=seconds * (1 + random.uniform(0, 0.1)))


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()


def secrets_in_use(endpoint: Endpoint) -> list[str]:
    """The current secret, and the previous one during the day after a rotation."""
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > timezone.now():
        found.append(endpoint.previous_secret)
    return found


def _printable(raw: str, limit: int) -> str:
    # PostgreSQL stores no NUL in text; the pages escape the rest.
    return raw.replace("\x00", "\ufffd")[:limit]


def post(endpoint: Endpoint, delivery: Delivery) -> Outcome:
    """One HTTP POST of the delivery to the endpoint; never raises. A name that resolves to
    several (checked) addresses is tried on each in turn until one accepts the connection."""
    try:
        target = addresses.parse(endpoint.url)
        found = addresses.resolve(target, endpoint.allow_private_address)
    except ActionError as error:
        return Outcome(False, error=error.message)
    body = body_of(delivery)
    timestamp = int(time.time())
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.SIGNATURE_HEADER: signing.header(secrets_in_use(endpoint), timestamp, body),
        signing.DELIVERY_HEADER: str(delivery.uuid),
        signing.EVENT_HEADER: delivery.event_type,
    }
    refused: NewConnectionError | None = None
    for address in found:
        try:
            return _post_to(target, address, body, headers)
        except NewConnectionError as error:
            refused = error
    assert refused is not None  # resolve() answers at least one address or raises
    return Outcome(False, error=_("could not connect: %(reason)s") % {"reason": _reason(refused)})


def _pool(target: addresses.Target, address: addresses.Address) -> urllib3.HTTPConnectionPool:
    """A pool connecting to ``address`` itself, checking the certificate against the name."""
    timeout = urllib3.Timeout(connect=TIMEOUT_SECONDS, read=TIMEOUT_SECONDS)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            str(address),
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    return urllib3.HTTPConnectionPool(
        str(address), target.port, timeout=timeout, retries=False, maxsize=1
    )


def _post_to(
    target: addresses.Target, address: addresses.Address, body: bytes, headers: dict[str, str]
) -> Outcome:
    """The POST to one address; a refused connection raises (the caller tries the next)."""
    started = time.monotonic()
    try:
        with _pool(target, address) as pool:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers=headers,
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
            )
            latency = round((time.monotonic() - started) * 1000)
            raw = _excerpt(response, time.monotonic() + TIMEOUT_SECONDS)
    except NewConnectionError:  # first: urllib3 makes it a ConnectTimeoutError too
        raise
    except (ConnectTimeoutError, ReadTimeoutError):
        return Outcome(
            False,
            latency_ms=round((time.monotonic() - started) * 1000),
            error=_("no answer within %(seconds)s seconds") % {"seconds": TIMEOUT_SECONDS},
        )
    except SSLError as error:
        return Outcome(False, error=_("TLS error: %(reason)s") % {"reason": _reason(error)})
    except HTTPError as error:
        return Outcome(False, error=_("HTTP error: %(reason)s") % {"reason": _reason(error)})
    excerpt = _printable(raw.decode("utf-8", errors="replace"), EXCERPT_BYTES)
    status = response.status
    if 200 <= status < 300:
        return Outcome(True, status, latency, excerpt)
    if 300 <= status < 400:
        location = _printable(response.headers.get("Location", ""), 500)
        reason = _("redirected to %(location)s (redirects are not followed)") % {
            "location": location or "?"
        }
    else:
        reason = _("the receiver answered HTTP %(status)s") % {"status": status}
    return Outcome(False, status, latency, excerpt, reason)


def _excerpt(response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
    """The first ``EXCERPT_BYTES`` of the answer, read for ``TIMEOUT_SECONDS`` at most in all
    (one receive at a time, so a receiver trickling its body cannot hold the worker)."""
    raw = b""
    try:
        while len(raw) < EXCERPT_BYTES and time.monotonic() < deadline:
            chunk = response.read1(EXCERPT_BYTES - len(raw))
            if not chunk:
                break
            raw += chunk
    except HTTPError:
        pass  # what arrived before the error is the excerpt
    finally:
        response.close()
    return raw


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    return _printable(str(reason), 500)


def enqueue(delivery_id: int, attempt: int, delay: timedelta | None = None) -> None:
    """Queue ``attempt`` of a delivery (in the caller's transaction: the queue is a table)."""
    if delay is None:
        send_delivery.enqueue(delivery_id, attempt)
    else:
        send_delivery.using(run_after=timezone.now() + delay).enqueue(delivery_id, attempt)


def attempt_delivery(delivery_id: int, attempt: int) -> Outcome | None:
    """Make ``attempt`` of a delivery and record it; None when the delivery no longer expects
    it (done, replayed, or recorded by another worker)."""
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    waiting = (Delivery.Status.PENDING, Delivery.Status.FAILED)
    if delivery is None or delivery.status not in waiting or delivery.attempt_count != attempt - 1:
        return None
    endpoint = delivery.endpoint
    if endpoint.active or delivery.event_type == events.PING:
        outcome = post(endpoint, delivery)
    else:
        outcome = Outcome(False, error=_("the endpoint is switched off"))
    now = timezone.now()
    in_round = attempt - delivery.round_start
    next_at = None
    if outcome.succeeded:
        status = Delivery.Status.SUCCEEDED
    elif in_round >= MAX_ATTEMPTS or not endpoint.active or delivery.event_type == events.PING:
        # A test ping is one attempt: the administrator is watching its result.
        status = Delivery.Status.GAVE_UP
    else:
        status = Delivery.Status.FAILED
        next_at = now + backoff(in_round)
    with transaction.atomic():
        recorded = Delivery.objects.filter(
            pk=delivery.pk, attempt_count=attempt - 1, status__in=waiting
        ).update(
            attempt_count=attempt,
            status=status,
            next_attempt_at=next_at,
            response_status=outcome.response_status,
            latency_ms=outcome.latency_ms,
            response_excerpt=outcome.excerpt,
            error=outcome.error,
            updated_at=now,
        )
        if not recorded:
            return None
        Attempt.objects.create(
            delivery=delivery,
            number=attempt,
            at=now,
            succeeded=outcome.succeeded,
            response_status=outcome.response_status,
            latency_ms=outcome.latency_ms,
            response_excerpt=outcome.excerpt,
            error=outcome.error,
        )
        if next_at is not None:
            enqueue(delivery.pk, attempt + 1, next_at - now)
    if status == Delivery.Status.GAVE_UP:
        logger.warning(
            "webhook delivery %s to endpoint %s: gave up after %d attempt(s): %s",
            delivery.pk,
            endpoint.pk,
            in_round,
            outcome.error,
        )
    return outcome


@task()
def send_delivery(delivery_id: int, attempt: int) -> None:
    """The worker's task: one attempt (a failure is recorded and retried by scheduling the
    next attempt, so the task itself succeeds)."""
    attempt_delivery(delivery_id, attempt)

"""The signature of a delivery: HMAC-SHA256 with the endpoint's secret over
``<timestamp>.<body>``, sent as ``Rucher-Signature: t=<unix seconds>,v1=<hex>`` (a second
``v1=`` during the day after a secret was rotated, made with the previous secret).

Receivers recompute it over the raw body they received and compare in constant time, and
refuse a timestamp older than ``TOLERANCE_SECONDS`` (a captured request replayed later);
``verify`` is that check, the one docs/webhooks.md shows.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"
SIGNATURE_HEADER = "Rucher-Signature"
DELIVERY_HEADER = "Rucher-Delivery"
EVENT_HEADER = "Rucher-Event"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secrets_in_use: Sequence[str], timestamp: int, body: bytes) -> str:
    """``t=…,v1=…[,v1=…]``: one v1 per secret in use (the current one first)."""
    signed = [f"v1={signature(secret, timestamp, body)}" for secret in secrets_in_use]
    return ",".join([f"t={timestamp}", *signed])


def verify(
    secret: str,
    value: str,
    body: bytes,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """True when ``value`` (the header) signs ``body`` with ``secret`` and is recent."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in value.split(","):
        key, _sep, item = part.strip().partition("=")
        if key == "t" and item.isdigit():
            timestamp = int(item)
        elif key == "v1":
            candidates.append(item)
    if timestamp is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)

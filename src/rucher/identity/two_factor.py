"""Two-factor sign-in for local passwords: a TOTP authenticator app (django-otp's
``TOTPDevice``) and one-time recovery codes (``RecoveryCode``, hashed).

The writes a member asks for (turn on, turn off, new recovery codes) are actions
(``identity.actions``); this module holds what they and the sign-in share: the secret and its
``otpauth://`` address, the codes, whether the organisation requires a second factor for a
person (``RUCHER_TWO_FACTOR``), and ``check_code``, the second step of a password sign-in.

Guessing codes is slowed twice: the device's own throttle (django-otp: after each failure the
next attempt waits 2^(n-1) seconds, across every session, until a right code) and the sign-in's
pending state, dropped after ``MAX_ATTEMPTS`` wrong codes (the password must be typed again,
which the password throttle counts). Every failure is an audit entry (``two_factor_failed``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from binascii import unhexlify
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from rucher.audit.trail import append as audit
from rucher.identity.models import RecoveryCode
from rucher.people.models import Person

RECOVERY_CODES = 10
MAX_ATTEMPTS = 5  # wrong codes per password sign-in before the password is asked again
# Recovery codes: 10 characters from an alphabet without look-alikes (0/O, 1/I/L).
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
DEVICE_NAME = "authenticator"  # never the member's name (erasure scans every column)


def device_of(person: Any) -> TOTPDevice | None:
    """The person's confirmed authenticator, if they turned the second factor on."""
    if not getattr(person, "pk", None):
        return None
    return TOTPDevice.objects.filter(user_id=person.pk, confirmed=True).first()


def is_admin(person: Any) -> bool:
    return bool(person.kind == Person.Kind.ADMIN or person.is_superuser)


def required_for(person: Any) -> bool:
    """The organisation requires a second factor of this person's password sign-ins."""
    policy = settings.RUCHER_TWO_FACTOR
    return policy == "everyone" or (policy == "admins" and is_admin(person))


def new_secret() -> str:
    """20 random bytes, hex-encoded (django-otp's key format)."""
    return secrets.token_hex(20)


def base32_secret(secret_hex: str) -> str:
    """The secret as authenticator apps want it typed (RFC 4648 base32, no padding)."""
    return base64.b32encode(unhexlify(secret_hex)).decode().rstrip("=")


def provisioning_uri(person: Any, secret_hex: str) -> str:
    """The ``otpauth://totp/…`` address the QR code holds (Google Authenticator's format)."""
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{person.get_username()}")
    query = urlencode(
        {"secret": base32_secret(secret_hex), "issuer": issuer, "digits": 6, "period": 30}
    )
    return f"otpauth://totp/{label}?{query}"


def totp_step(secret_hex: str, code: str) -> int | None:
    """The time step ``code`` is the secret's code for (now, or one step either way), or
    ``None``: the check of enrolment, before any device row exists."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = TOTP(unhexlify(secret_hex), step=30, digits=6)
    if not totp.verify(int(code), tolerance=1):
        return None
    return int(totp.t())


def new_recovery_codes() -> list[str]:
    return ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]


def digest(code: str) -> str:
    normalised = code.strip().replace(" ", "").replace("-", "").upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


def shown(code: str) -> str:
    """``ABCDE-FGHJK``: easier to copy by hand."""
    return f"{code[:5]}-{code[5:]}"


@dataclass(frozen=True)
class Outcome:
    passed: bool
    method: str = ""  # "totp" or "recovery"
    wait: int = 0  # seconds before the device accepts another attempt (its throttle)


def check_code(person: Person, code: str, address: str | None) -> Outcome:
    """The second step of a password sign-in: the authenticator's current code, or an unused
    recovery code (then spent). A wrong code advances the device's throttle and is an audit
    entry; both stay written (the caller does not roll them back)."""
    device = device_of(person)
    if device is None:
        return Outcome(passed=True)
    allowed, data = device.verify_is_allowed()
    if not allowed:
        wait = 1
        if data and data.get("locked_until"):
            wait = max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
        audit("two_factor_failed", actor=person, address=address, detail={"throttled": True})
        return Outcome(passed=False, wait=wait)
    cleaned = code.strip().replace(" ", "")
    if cleaned.isdigit() and device.verify_token(cleaned):
        # verify_token reset the throttle and remembered the step (no replay of this code).
        return Outcome(passed=True, method="totp")
    if not cleaned.isdigit():
        with transaction.atomic():
            spent = RecoveryCode.objects.filter(
                person=person, digest=digest(cleaned), used_at__isnull=True
            ).update(used_at=timezone.now())
        if spent:
            device.throttle_reset()
            audit("two_factor_recovery_used", actor=person, address=address)
            return Outcome(passed=True, method="recovery")
        device.throttle_increment()
    audit("two_factor_failed", actor=person, address=address)
    return Outcome(passed=False)


def recovery_codes_left(person: Person) -> int:
    return RecoveryCode.objects.filter(person=person, used_at__isnull=True).count()

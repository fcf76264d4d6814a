"""Web push: the notifications a person chooses, on the devices they enabled, through the Web
Push protocol (RFC 8030) with VAPID (RFC 8292) and the message encryption of RFC 8291
(``aes128gcm``), by ``pywebpush``.

- **Subscriptions** (``PushSubscription``): a browser asks its push service for an endpoint
  with the server's public key (``static/rucher/push.js``), and hands the endpoint and its
  own keys to ``POST /api/v1/notifications/push-subscriptions``: ``subscribe`` checks them
  (an https endpoint of a known push service, base64url keys of the right length).
- **What is pushed**: the kinds the person pushes (``Settings.push_kinds``; by default
  ``PUSH_DEFAULT_KINDS``, the kinds that arrive in the app at once), outside their quiet
  hours (skipped, not deferred: a push that arrives hours late is noise; the centre keeps
  it). The payload is the centre's sentence, in the recipient's language, and a link through
  the centre (which marks it read): nothing the bell would not show (a confidential space's
  text is never quoted: ``queries.content_title``).
- **Delivery**: ``enqueue_pushes`` (an ``on_notified`` hook) enqueues one ``send_pushes`` task
  per fan-out when a recipient has a device; the worker runs it: one request per device,
  several devices at once (a slow push service delays only its own devices), each with a
  short timeout; a push service found unreachable is not tried again in the same batch.
  404 or 410 from the push service: the subscription is gone, deleted; any other failure is
  counted, and ``RUCHER_PUSH_MAX_FAILURES`` in a row delete it. Nothing is retried: a push is
  worth sending now or never. Nothing here raises into the worker.
- **Keys**: ``RUCHER_VAPID_PRIVATE_KEY`` (and optionally ``RUCHER_VAPID_PUBLIC_KEY``, checked
  against it), else a key generated once into ``RUCHER_DATA_DIR/vapid_private.pem``.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from py_vapid import Vapid, Vapid01
from pywebpush import WebPushException, webpush

from rucher.errors import Invalid, NotFound
from rucher.notifications import hooks, mail, preferences, queries
from rucher.notifications.models import (
    PUSH_DEFAULT_KINDS,
    Kind,
    Notification,
    PushSubscription,
    Settings,
)
from rucher.notifications.unsubscribe import absolute
from rucher.people.models import Person

logger = logging.getLogger("rucher.notifications.push")

HOOK_NAME = "push"
KEY_FILE = "vapid_private.pem"
TTL_SECONDS = 6 * 3600  # a device offline longer than this does not get it (the centre does)
MAX_PER_PERSON = 5  # pushes per person per fan-out batch (newest first)
MAX_DEVICES = 20  # subscriptions kept per person (the oldest go)
MAX_PARALLEL = 8
BODY_LENGTH = 240
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


# --- keys ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    vapid: Vapid01
    public_key: str  # base64url of the uncompressed point: the browser's applicationServerKey
    subject: str


_keys: Keys | None = None
_keys_lock = threading.Lock()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _generated_key(path: Path) -> Vapid01:
    """The key in ``path``, generated and written once (first process wins: O_EXCL)."""
    if not path.exists():
        fresh = Vapid()
        fresh.generate_keys()
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(handle, "wb") as out:
                out.write(fresh.private_pem())
    return Vapid.from_file(str(path))


def _load() -> Keys:
    configured = django_settings.RUCHER_VAPID_PRIVATE_KEY
    if configured:
        try:
            vapid = Vapid.from_string(configured.strip())
        except Exception as error:
            raise ImproperlyConfigured(
                "RUCHER_VAPID_PRIVATE_KEY: a base64url EC P-256 private key (raw or DER)"
            ) from error
    else:
        vapid = _generated_key(Path(django_settings.DATA_DIR) / KEY_FILE)
    public = b64url(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    expected = django_settings.RUCHER_VAPID_PUBLIC_KEY.strip().rstrip("=")
    if expected and expected != public:
        raise ImproperlyConfigured("RUCHER_VAPID_PUBLIC_KEY does not match the private key")
    subject = django_settings.RUCHER_VAPID_SUBJECT or (
        "mailto:" + (parseaddr(django_settings.DEFAULT_FROM_EMAIL)[1] or "rucher@localhost")
    )
    if not subject.startswith(("mailto:", "https:")):
        raise ImproperlyConfigured("RUCHER_VAPID_SUBJECT: a mailto: or https: address")
    return Keys(vapid, public, subject)


def keys() -> Keys:
    """The VAPID keys (loaded, or generated, once per process)."""
    global _keys
    with _keys_lock:
        if _keys is None:
            _keys = _load()
        return _keys


def forget_keys() -> None:
    """Read the keys again at next use (tests that change the settings)."""
    global _keys
    with _keys_lock:
        _keys = None


def public_key() -> str:
    return keys().public_key


# --- subscriptions -------------------------------------------------------------------------


def allowed_service(host: str) -> bool:
    services = django_settings.RUCHER_PUSH_SERVICES
    if "*" in services:
        return True
    return any(host == s or host.endswith("." + s) for s in services)


def check_endpoint(value: object) -> str:
    """An https address of a known push service (the server posts to it: not any address of
    the internal network); plain http to this machine only when RUCHER_PUSH_ALLOW_LOCAL_HTTP
    (DEBUG, tests)."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(_("the subscription's endpoint is missing"))
    value = value.strip()
    if len(value) > 1000:
        raise Invalid(_("the subscription's endpoint is too long"))
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (a malformed port raises here)
    except ValueError:
        raise Invalid(_("the subscription's endpoint is not a valid address")) from None
    if not host or parts.username or parts.password:
        raise Invalid(_("the subscription's endpoint is not a valid address"))
    local = host in LOCAL_HOSTS and django_settings.RUCHER_PUSH_ALLOW_LOCAL_HTTP
    if parts.scheme == "https":
        if not (local or allowed_service(host)):
            raise Invalid(_("the subscription's endpoint is not a known push service"))
    elif parts.scheme == "http" and local:
        pass
    else:
        raise Invalid(_("the subscription's endpoint must be an https address"))
    return value


def check_key(value: object, length: int, what: str) -> str:
    """A base64url key that decodes to ``length`` bytes (returned without padding)."""
    if not isinstance(value, str) or not BASE64URL.match(value.strip()):
        raise Invalid(_("%(key)s must be base64url") % {"key": what})
    value = value.strip().rstrip("=")
    try:
        raw = b64url_decode(value)
    except (binascii.Error, ValueError):
        raise Invalid(_("%(key)s must be base64url") % {"key": what}) from None
    if len(raw) != length:
        raise Invalid(
            _("%(key)s must be %(length)d bytes long, not %(found)d")
            % {"key": what, "length": length, "found": len(raw)}
        )
    return value


def check_p256dh(value: object) -> str:
    value = check_key(value, 65, "p256dh")
    if b64url_decode(value)[0] != 4:
        raise Invalid(_("p256dh must be an uncompressed P-256 public key"))
    return value


BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """A short label of a browser's User-Agent: "Firefox, Linux" (to tell devices apart)."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    if not browser and "Safari/" in user_agent:
        browser = "Safari"
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    return ", ".join(part for part in (browser, system) if part)[:120]


@transaction.atomic
def subscribe(
    person: Person, endpoint: object, p256dh: object, auth: object, user_agent: str = ""
) -> PushSubscription:
    """Push to this browser from now on. An endpoint already known (the same browser again,
    or another account signing in on it) is updated and moves to ``person``."""
    endpoint = check_endpoint(endpoint)
    p256dh = check_p256dh(p256dh)
    auth = check_key(auth, 16, "auth")
    row, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "person": person,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": device_label(user_agent or ""),
            "failures": 0,
        },
        create_defaults={
            "person": person,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": device_label(user_agent or ""),
            "created_at": timezone.now(),
        },
    )
    keep = PushSubscription.objects.filter(person=person).order_by("-created_at", "-id")
    stale = list(keep.values_list("pk", flat=True)[MAX_DEVICES:])
    if stale:
        PushSubscription.objects.filter(pk__in=stale).delete()
    return row


def unsubscribe(person: Person, endpoint: object) -> None:
    """Stop pushing to this browser; 404 when it is not one of ``person``'s (unknown or
    someone else's: the same answer, which tells nothing of others' devices)."""
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise Invalid(_("the subscription's endpoint is missing"))
    deleted, _rows = PushSubscription.objects.filter(
        person=person, endpoint=endpoint.strip()
    ).delete()
    if not deleted:
        raise NotFound(_("no such push subscription"))


def remove(person: Person, subscription_id: int) -> None:
    deleted, _rows = PushSubscription.objects.filter(person=person, pk=subscription_id).delete()
    if not deleted:
        raise NotFound(_("no such push subscription"))


def devices_of(person: Person) -> list[PushSubscription]:
    return list(PushSubscription.objects.filter(person=person).order_by("-created_at", "-id"))


# --- what a person pushes ------------------------------------------------------------------


def pushed_kinds(person_settings: Settings) -> set[str]:
    chosen = person_settings.push_kinds
    if not isinstance(chosen, list):
        return set(PUSH_DEFAULT_KINDS)
    return {kind for kind in chosen if kind in Kind.values}


# --- delivery ------------------------------------------------------------------------------


def enqueue_pushes(notification_ids: Sequence[int]) -> None:
    """After the fan-out commits: one task for the rows whose recipient has a device (one
    query; none enqueued when nobody concerned has enabled push)."""
    devices = PushSubscription.objects.filter(person_id=OuterRef("recipient_id"))
    wanted = list(
        Notification.objects.filter(pk__in=list(notification_ids), read_at__isnull=True)
        .filter(Exists(devices))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if wanted:
        send_pushes.enqueue(wanted)


def register() -> None:
    """Called from ``NotificationsConfig.ready()``."""
    hooks.on_notified(HOOK_NAME, enqueue_pushes)


@dataclass(frozen=True)
class Job:
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    data: bytes


def payload(shown: queries.Shown) -> dict[str, str]:
    """What a device shows: the centre's sentence (in the active language), a link through the
    centre (which marks it read), and a tag (a newer push of a grouped row replaces it)."""
    text = " ".join(shown.text.split())
    if len(text) > BODY_LENGTH:
        text = text[: BODY_LENGTH - 1].rstrip() + "…"
    return {
        "title": str(_("rucher")),
        "body": text,
        "url": absolute(reverse("notification_open", args=[shown.id])),
        "tag": f"rucher-notification-{shown.id}",
    }


def _settings(people: dict[int, Person]) -> dict[int, Settings]:
    found = Settings.objects.in_bulk(list(people))
    return {
        pk: found.get(pk) or Settings(person_id=pk, language=preferences.default_language(person))
        for pk, person in people.items()
    }


def plan(notification_ids: Iterable[int], now: datetime) -> tuple[list[Job], dict[str, int]]:
    """The requests to make: for each recipient who pushes the kind and is not in quiet hours,
    the centre's text of each notification they may still see, for each of their devices."""
    counts = {"quiet": 0, "not_pushed": 0}
    rows = list(
        Notification.objects.filter(pk__in=list(notification_ids), read_at__isnull=True)
        .select_related("recipient")
        .order_by("-updated_at", "-id")
    )
    people = {row.recipient_id: row.recipient for row in rows if row.recipient.is_active}
    if not people:
        return [], counts
    person_settings = _settings(people)
    wanted: dict[int, list[int]] = {}
    for row in rows:
        if row.recipient_id not in people:
            continue
        chosen = person_settings[row.recipient_id]
        if row.kind not in pushed_kinds(chosen):
            counts["not_pushed"] += 1
        elif mail.quiet_until(chosen, now) is not None:
            counts["quiet"] += 1
        else:
            wanted.setdefault(row.recipient_id, []).append(row.pk)
    if not wanted:
        return [], counts
    devices: dict[int, list[PushSubscription]] = {}
    for device in PushSubscription.objects.filter(person_id__in=list(wanted)).order_by("pk"):
        devices.setdefault(device.person_id, []).append(device)
    jobs: list[Job] = []
    for person_id, ids in wanted.items():
        if person_id not in devices:
            continue
        with translation.override(mail.language_of(person_settings[person_id])):
            shown = queries.shown_by_id(people[person_id], ids)[:MAX_PER_PERSON]
            bodies = [json.dumps(payload(item), ensure_ascii=False).encode() for item in shown]
        for device in devices[person_id]:
            jobs.extend(
                Job(device.pk, device.endpoint, device.p256dh, device.auth, data) for data in bodies
            )
    return jobs, counts


class Down:
    """Push services found unreachable during one batch: their other devices are not tried
    (each would wait for the timeout again); they count a failure each, as if tried."""

    def __init__(self) -> None:
        self._hosts: set[str] = set()
        self._lock = threading.Lock()

    def add(self, host: str) -> None:
        with self._lock:
            self._hosts.add(host)

    def __contains__(self, host: object) -> bool:
        with self._lock:
            return host in self._hosts


def post(job: Job, vapid: Keys, down: Down | None = None) -> str:
    """One request to the push service: ``sent``, ``gone`` (404/410) or ``failed``. Never
    raises (a worker thread)."""
    host = urlsplit(job.endpoint).netloc  # the push service: host and port
    if down is not None and host in down:
        return "failed"
    try:
        webpush(
            subscription_info={
                "endpoint": job.endpoint,
                "keys": {"p256dh": job.p256dh, "auth": job.auth},
            },
            data=job.data,
            vapid_private_key=vapid.vapid,
            vapid_claims={"sub": vapid.subject},  # a new dict: webpush adds aud and exp to it
            content_encoding="aes128gcm",
            timeout=django_settings.RUCHER_PUSH_TIMEOUT_SECONDS,
            ttl=TTL_SECONDS,
            headers={"Urgency": "normal"},
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            return "gone"
        logger.warning("push to %s failed: %s", host, status)
        return "failed"
    except (requests.ConnectionError, requests.Timeout) as error:  # unreachable, too slow
        if down is not None:
            down.add(host)
        logger.warning("push to %s failed: %s", host, type(error).__name__)
        return "failed"
    except Exception as error:  # a key the encryption refuses, …
        logger.warning("push to %s failed: %s", host, type(error).__name__)
        return "failed"
    return "sent"


def deliver(notification_ids: Iterable[int], now: datetime | None = None) -> dict[str, int]:
    """Send what ``plan`` says, several devices at once, then record the outcomes: a success
    resets the device's failures, 404/410 deletes it, a failure counts (the limit deletes
    it). What happened, counted."""
    now = now or timezone.now()
    jobs, counts = plan(notification_ids, now)
    counts.update({"sent": 0, "gone": 0, "failed": 0})
    if not jobs:
        return counts
    vapid, down = keys(), Down()
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(jobs))) as pool:
        outcomes = list(pool.map(lambda job: post(job, vapid, down), jobs))
    by_device: dict[int, set[str]] = {}
    for job, outcome in zip(jobs, outcomes, strict=True):
        counts[outcome] += 1
        by_device.setdefault(job.subscription_id, set()).add(outcome)
    gone = [pk for pk, seen in by_device.items() if "gone" in seen]
    sent = [pk for pk, seen in by_device.items() if "gone" not in seen and "sent" in seen]
    failed = [pk for pk, seen in by_device.items() if seen == {"failed"}]
    with transaction.atomic():
        if gone:
            PushSubscription.objects.filter(pk__in=gone).delete()
        if sent:
            PushSubscription.objects.filter(pk__in=sent).update(last_success_at=now, failures=0)
        if failed:
            PushSubscription.objects.filter(pk__in=failed).update(failures=F("failures") + 1)
            PushSubscription.objects.filter(
                pk__in=failed, failures__gte=django_settings.RUCHER_PUSH_MAX_FAILURES
            ).delete()
    return counts


@task()
def send_pushes(notification_ids: list[int]) -> dict[str, Any]:
    """The worker's task: ``deliver``; any error is logged, never raised (no retry: a late
    push is noise, and the notification centre has it)."""
    try:
        return deliver(notification_ids)
    except Exception:
        logger.exception("pushes of notifications %s failed", notification_ids[:20])
        return {"error": 1}

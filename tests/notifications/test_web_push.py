"""Web push against a real push service stand-in: a local HTTP server (a thread) receives what
pywebpush sends; the test holds the browser's keys (an ECDH P-256 pair and an auth secret),
so it checks the VAPID signature and decrypts the aes128gcm body as a browser would.

The path is the real one: the action commits, the worker runs the fan-out, the push hook
enqueues ``send_pushes``, the worker runs it."""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rucher.activity.tasks import LeasedWorker
from rucher.conversations.actions import publish
from rucher.notifications import push
from rucher.notifications.models import Notification, PushSubscription, Settings

pytestmark = pytest.mark.django_db(transaction=True)

PORTS = range(18110, 18120)
API = "/api/v1/notifications/push-subscriptions"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass
class PushService:
    """A push service stand-in: records each POST, answers ``status`` (201 by default)."""

    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    status: int = 201

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


def free_server(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    for port in PORTS:
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError:
            continue
    raise RuntimeError("no free port in 18110-18119")


@pytest.fixture
def service(world: dict[str, Any]) -> Iterator[PushService]:
    """The stand-in, started once ``world`` is made (its invitations' tasks dropped: each
    test pushes what it does itself)."""
    DBTaskResult.objects.all().delete()
    holder: dict[str, PushService] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            found = holder["service"]
            headers = {name.lower(): value for name, value in self.headers.items()}
            found.received.append(Received(self.path, headers, self.rfile.read(length)))
            self.send_response(found.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = free_server(Handler)
    holder["service"] = PushService(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["service"]
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def push_settings(settings: Any, tmp_path: Any) -> Iterator[None]:
    """Keys generated into a fresh data dir; http to 127.0.0.1 allowed (the stand-in)."""
    settings.DATA_DIR = tmp_path
    settings.RUCHER_VAPID_PRIVATE_KEY = ""
    settings.RUCHER_VAPID_PUBLIC_KEY = ""
    settings.RUCHER_VAPID_SUBJECT = "mailto:admin@example.org"
    settings.RUCHER_PUSH_ALLOW_LOCAL_HTTP = True
    settings.RUCHER_BASE_URL = "https://rucher.example.org"
    push.forget_keys()
    yield
    push.forget_keys()


@dataclass
class Browser:
    """What a browser holds for one subscription: its ECDH key pair and auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> Browser:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """``PushSubscription.toJSON()``."""
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> Any:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def as_(person: Any, language: str = "fr") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(person)
    return client


def subscribe(person: Any, browser: Browser, endpoint: str) -> Any:
    return as_(person).post(
        API,
        browser.subscription(endpoint),
        content_type="application/json",
        headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Firefox/133.0"},
    )


def run_worker() -> None:
    """The fan-out's task, then the push task it enqueued after its commit."""
    for _round in range(2):
        LeasedWorker(lease=timedelta(minutes=5), interval=0.01, worker_id="test").serve(once=True)


def french(person: Any, **fields: Any) -> Any:
    person.first_name, person.last_name = person.username.capitalize(), "Martin"
    person.save()
    Settings.objects.update_or_create(person=person, defaults={"language": "fr", **fields})
    return person


def verify_vapid(authorization: str, audience: str) -> dict[str, Any]:
    """The ``vapid t=<JWT>,k=<key>`` header: k is the server's public key, the JWT is signed
    by it (ES256), for the push service's origin, with the configured subject."""
    scheme, _space, rest = authorization.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in rest.split(","))
    assert fields["k"] == push.public_key()
    header, claims, signature = fields["t"].split(".")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # or raises
    decoded = json.loads(unb64url(claims))
    assert decoded["aud"] == audience
    assert decoded["sub"] == "mailto:admin@example.org"
    return dict(decoded)


# --- delivery --------------------------------------------------------------------------------


def test_a_mention_is_pushed_encrypted_in_french(
    world: dict[str, Any], service: PushService
) -> None:
    french(world["alice"])
    bob = french(world["bob"])
    browser = Browser.new()
    answer = subscribe(bob, browser, f"{service.base}/push/bob-firefox")
    assert answer.status_code == 201, answer.content
    assert answer.json()["device"] == "Firefox, Linux"

    publish(world["alice"], world["open"], "Réunion de chantier jeudi, @bob")
    assert service.received == []  # nothing in the request
    run_worker()

    (request,) = service.received
    assert request.path == "/push/bob-firefox"
    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) == push.TTL_SECONDS
    verify_vapid(request.headers["authorization"], service.base)
    notification = Notification.objects.get(recipient=bob, kind="mention")
    assert browser.decrypt(request.body) == {
        "title": "rucher",
        "body": "Alice Martin vous a mentionné dans « Réunion de chantier jeudi, @bob »",
        "url": f"https://rucher.example.org/notifications/{notification.pk}/",
        "tag": f"rucher-notification-{notification.pk}",
    }
    device = PushSubscription.objects.get(person=bob)
    assert device.last_success_at is not None and device.failures == 0
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_english_for_a_person_who_chose_it_and_nothing_confidential(
    world: dict[str, Any], service: PushService
) -> None:
    carol = world["carol"]
    Settings.objects.create(person=carol, language="en")
    browser = Browser.new()
    assert subscribe(carol, browser, f"{service.base}/push/carol").status_code == 201
    publish(world["alice"], world["confidential"], "Plan social secret, @carol")
    run_worker()
    (request,) = service.received
    body = browser.decrypt(request.body)["body"]
    assert body == "Alice Test mentioned you in “confidential content”"


def test_a_gone_subscription_is_deleted(world: dict[str, Any], service: PushService) -> None:
    bob = world["bob"]
    assert subscribe(bob, Browser.new(), f"{service.base}/push/old").status_code == 201
    service.status = 410
    publish(world["alice"], world["open"], "Bonjour @bob")
    run_worker()
    assert len(service.received) == 1
    assert not PushSubscription.objects.filter(person=bob).exists()


def test_failures_are_counted_and_one_dead_service_does_not_block_the_others(
    world: dict[str, Any], service: PushService, settings: Any
) -> None:
    bob = world["bob"]
    settings.RUCHER_PUSH_MAX_FAILURES = 2
    # A port held but not listening: connection refused (and no other test can take it).
    held = socket.socket()
    closed = bind_in_range(held)
    assert subscribe(bob, Browser.new(), f"http://127.0.0.1:{closed}/push/dead").status_code == 201
    assert subscribe(bob, Browser.new(), f"{service.base}/push/alive").status_code == 201
    publish(world["alice"], world["open"], "Premier @bob")
    run_worker()
    assert [r.path for r in service.received] == ["/push/alive"]
    dead = PushSubscription.objects.get(endpoint__endswith="/push/dead")
    assert dead.failures == 1
    alive = PushSubscription.objects.get(endpoint__endswith="/push/alive")
    assert alive.failures == 0 and alive.last_success_at is not None

    service.status = 500  # the live one fails once: counted, kept
    Notification.objects.update(read_at=timezone.now())
    publish(world["alice"], world["open"], "Second @bob")
    run_worker()
    assert not PushSubscription.objects.filter(endpoint__endswith="/push/dead").exists()
    alive.refresh_from_db()
    assert alive.failures == 1
    held.close()


def test_a_push_service_that_never_answers_delays_only_its_own_devices(
    world: dict[str, Any], service: PushService, settings: Any
) -> None:
    """A black hole (accepts connections, never answers): its devices time out and count a
    failure; the device of a live service still gets its push."""
    settings.RUCHER_PUSH_TIMEOUT_SECONDS = 0.5
    bob = world["bob"]
    with socket.socket() as hole:
        port = bind_in_range(hole)
        hole.listen(8)
        for name in ("a", "b", "c"):
            endpoint = f"http://127.0.0.1:{port}/hole/{name}"
            assert subscribe(bob, Browser.new(), endpoint).status_code == 201
        assert subscribe(bob, Browser.new(), f"{service.base}/push/alive").status_code == 201
        publish(world["alice"], world["open"], "Bonjour @bob")
        run_worker()
    assert [r.path for r in service.received] == ["/push/alive"]
    failures = dict(PushSubscription.objects.values_list("endpoint", "failures"))
    assert failures == {
        f"http://127.0.0.1:{port}/hole/a": 1,
        f"http://127.0.0.1:{port}/hole/b": 1,
        f"http://127.0.0.1:{port}/hole/c": 1,
        f"{service.base}/push/alive": 0,
    }


def bind_in_range(held: socket.socket) -> int:
    """Bind ``held`` to a free port of the range (parallel test workers share it)."""
    for port in PORTS:
        try:
            held.bind(("127.0.0.1", port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port in 18110-18119")


def test_a_kind_switched_off_is_not_pushed(world: dict[str, Any], service: PushService) -> None:
    bob = world["bob"]
    assert subscribe(bob, Browser.new(), f"{service.base}/push/bob").status_code == 201
    answer = as_(bob).put(
        "/api/v1/notifications/preferences",
        {"push": {"mention": False}},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["push"]["mention"] is False
    assert answer.json()["push"]["answer"] is True  # the others keep their default
    assert answer.json()["push"]["reaction"] is False
    publish(world["alice"], world["open"], "Bonjour @bob")
    run_worker()
    assert Notification.objects.filter(recipient=bob, kind="mention").exists()
    assert service.received == []


def test_nothing_is_pushed_during_quiet_hours(world: dict[str, Any], service: PushService) -> None:
    bob = world["bob"]
    local = datetime.now(ZoneInfo("Europe/Paris"))
    french(
        bob,
        time_zone="Europe/Paris",
        quiet_from=(local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_until=(local + timedelta(hours=1)).time().replace(second=0, microsecond=0),
    )
    assert subscribe(bob, Browser.new(), f"{service.base}/push/bob").status_code == 201
    publish(world["alice"], world["open"], "Bonjour @bob")
    run_worker()
    assert Notification.objects.filter(recipient=bob, kind="mention").exists()
    assert service.received == []


def test_no_task_when_nobody_concerned_has_a_device(
    world: dict[str, Any], service: PushService
) -> None:
    DBTaskResult.objects.all().delete()
    publish(world["alice"], world["open"], "Bonjour @bob")
    run_worker()
    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "rucher.notifications.push.send_pushes" not in paths
    assert service.received == []


# --- subscribing -------------------------------------------------------------------------------


GOOD = Browser.new()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"endpoint": "http://push.example.org/x"}, "must be an https address"),
        ({"endpoint": "https://evil.example.org/x"}, "not a known push service"),
        ({"endpoint": "https://10.0.0.1/x"}, "not a known push service"),
        ({"endpoint": "ftp://fcm.googleapis.com/x"}, "must be an https address"),
        ({"endpoint": ""}, "endpoint is missing"),
        ({"keys": {"p256dh": "abc", "auth": b64url(GOOD.auth)}}, "p256dh must be 65 bytes"),
        ({"keys": {"p256dh": "a+b/c", "auth": b64url(GOOD.auth)}}, "p256dh must be base64url"),
        (
            {"keys": {"p256dh": b64url(b"\x02" + bytes(64)), "auth": b64url(GOOD.auth)}},
            "uncompressed P-256",
        ),
        ({"keys": {"p256dh": GOOD.p256dh, "auth": b64url(bytes(15))}}, "auth must be 16 bytes"),
        ({"keys": {"p256dh": GOOD.p256dh}}, "auth must be base64url"),
        ({"keys": None}, "p256dh must be base64url"),
    ],
)
def test_a_bad_subscription_is_a_422_with_the_reason(
    world: dict[str, Any], body: dict[str, Any], reason: str
) -> None:
    sent = {**GOOD.subscription("https://fcm.googleapis.com/fcm/send/abc"), **body}
    answer = as_(world["bob"], "en").post(API, sent, content_type="application/json")
    assert answer.status_code == 422, answer.content
    assert reason in answer.json()["detail"]
    assert not PushSubscription.objects.exists()


def test_plain_http_to_this_machine_only_when_allowed(world: dict[str, Any], settings: Any) -> None:
    settings.RUCHER_PUSH_ALLOW_LOCAL_HTTP = False
    answer = as_(world["bob"], "en").post(
        API, GOOD.subscription("http://127.0.0.1:18119/x"), content_type="application/json"
    )
    assert answer.status_code == 422
    assert "must be an https address" in answer.json()["detail"]


def test_a_known_push_service_is_accepted_and_the_same_browser_moves_to_its_new_account(
    world: dict[str, Any],
) -> None:
    endpoint = "https://fcm.googleapis.com/fcm/send/abc:def"
    assert subscribe(world["bob"], GOOD, endpoint).status_code == 201
    assert subscribe(world["carol"], GOOD, endpoint).status_code == 201
    (row,) = PushSubscription.objects.all()
    assert row.person_id == world["carol"].pk


def test_a_person_sees_and_removes_only_their_own(world: dict[str, Any]) -> None:
    bob, carol = world["bob"], world["carol"]
    endpoint = "https://updates.push.services.mozilla.com/wpush/v2/bob"
    created = subscribe(bob, GOOD, endpoint).json()

    listed = as_(carol).get(API).json()
    assert listed["items"] == []
    assert listed["public_key"] == push.public_key()
    assert len(unb64url(listed["public_key"])) == 65
    assert [item["id"] for item in as_(bob).get(API).json()["items"]] == [created["id"]]

    gone = as_(carol, "en").delete(API, {"endpoint": endpoint}, content_type="application/json")
    assert gone.status_code == 404
    assert as_(carol).delete(f"{API}/{created['id']}").status_code == 404
    assert PushSubscription.objects.filter(pk=created["id"]).exists()

    answer = as_(bob).delete(API, {"endpoint": endpoint}, content_type="application/json")
    assert answer.status_code == 204
    assert not PushSubscription.objects.exists()


def test_anonymous_callers_are_refused(world: dict[str, Any]) -> None:
    answer = Client().post(
        API, GOOD.subscription("https://fcm.googleapis.com/x"), content_type="application/json"
    )
    assert answer.status_code in (401, 403)


# --- keys ----------------------------------------------------------------------------------------


def test_the_key_is_generated_once_into_the_data_dir(settings: Any) -> None:
    first = push.public_key()
    assert (settings.DATA_DIR / push.KEY_FILE).exists()
    assert oct((settings.DATA_DIR / push.KEY_FILE).stat().st_mode & 0o777) == "0o600"
    push.forget_keys()
    assert push.public_key() == first  # read back, not generated again


def test_configured_keys_are_used_and_checked(settings: Any) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    raw = private.private_numbers().private_value.to_bytes(32, "big")
    public = b64url(
        private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    settings.RUCHER_VAPID_PRIVATE_KEY = b64url(raw)
    settings.RUCHER_VAPID_PUBLIC_KEY = public
    push.forget_keys()
    assert push.public_key() == public
    assert not (settings.DATA_DIR / push.KEY_FILE).exists()

    settings.RUCHER_VAPID_PUBLIC_KEY = b64url(b"\x04" + bytes(64))
    push.forget_keys()
    with pytest.raises(ImproperlyConfigured):
        push.public_key()


# --- the settings page ---------------------------------------------------------------------------


def test_the_settings_page_has_the_device_section_in_french(world: dict[str, Any]) -> None:
    bob = world["bob"]
    page = as_(bob).get("/settings/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Notifications sur cet appareil" in html
    assert "Activer sur cet appareil" in html
    assert "bloquées par ce navigateur" in html
    assert f'data-public-key="{push.public_key()}"' in html
    assert 'src="/static/rucher/push.js"' in html or "rucher/push.js" in html
    assert 'id="push-mention" value="1" checked' in html
    assert 'id="push-reaction" value="1">' in html  # off by default

    answer = as_(bob).post(
        "/settings/notifications/",
        {"push_section": "1", "push-reaction": "1", "language": "fr"},
    )
    assert answer.status_code == 302
    assert Settings.objects.get(person=bob).push_kinds == ["reaction"]
    assert (
        'id="push-reaction" value="1" checked'
        in as_(bob).get("/settings/notifications/").content.decode()
    )


def test_the_service_worker_shows_pushes_and_opens_their_page(world: dict[str, Any]) -> None:
    script = Client().get("/sw.js").content.decode()
    assert 'addEventListener("push"' in script
    assert "showNotification" in script
    assert 'addEventListener("notificationclick"' in script
    assert "openWindow" in script and "self.location.origin" in script


def test_the_hook_costs_one_query_and_the_page_survives_a_wrong_key(
    world: dict[str, Any], settings: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post = publish(world["alice"], world["open"], "Bonjour")
    rows = [
        Notification.objects.create(
            recipient=person,
            kind="mention",
            content_id=post.pk,
            space_id=world["open"].pk,
            subject=f"content:{post.pk}",
            channel="app",
            first_event_id=1,
            last_event_id=1,
            created_at=timezone.now(),
            updated_at=timezone.now(),
        )
        for person in (world["bob"], world["carol"], world["cm"])
    ]
    with CaptureQueriesContext(connection) as captured:
        push.enqueue_pushes([row.pk for row in rows])
    assert len(captured) == 1  # nobody has a device: no task

    settings.RUCHER_VAPID_PRIVATE_KEY = "not a key"
    push.forget_keys()
    page = as_(world["bob"]).get("/settings/notifications/")
    assert page.status_code == 200
    assert 'data-api=""' in page.content.decode()

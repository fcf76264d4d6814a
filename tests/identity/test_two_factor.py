"""Two-factor sign-in (TOTP through django-otp, recovery codes): enrolment with a QR code,
the code after the password, recovery codes, the organisation's requirement, brute force, the
audit trail; single sign-on exempt. Codes are computed here from the secret, as an app would."""

from __future__ import annotations

import re
from binascii import unhexlify
from typing import Any

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from rucher.audit.models import AuditEntry
from rucher.identity import actions, two_factor
from rucher.identity.claims import ExternalClaims
from rucher.identity.models import RecoveryCode
from rucher.web import sso
from rucher.web.views_security import SECRET_KEY

pytestmark = pytest.mark.django_db


def code_for(secret_hex: str, steps_ahead: int = 0) -> str:
    totp = TOTP(unhexlify(secret_hex))
    totp.drift = steps_ahead
    return f"{totp.token():06d}"


def enrol(client: Client) -> tuple[str, list[str]]:
    """Through the pages: the security page draws the QR code, the app's first code turns
    the second factor on; returns the secret and the recovery codes shown."""
    page = client.get("/settings/security/")
    assert page.status_code == 200
    secret = client.session[SECRET_KEY]
    response = client.post("/settings/security/", {"code": code_for(secret)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", response.content.decode())
    return secret, codes


def password_step(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": "demo"})
    assert response.status_code == 302
    assert response["Location"] == "/login/code/"
    return client


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_enrolment_draws_a_qr_code_and_shows_recovery_codes_once(make_person: Any) -> None:
    alice = make_person(username="alice")
    client = Client()
    client.force_login(alice)
    page = client.get("/settings/security/")
    html = page.content.decode()
    main = html.split("<main")[1].split("</main>")[0]
    assert 'src="/settings/security/qr.svg"' in main and "<script" not in main
    qr = client.get("/settings/security/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")
    secret = client.session[SECRET_KEY]
    assert two_factor.base32_secret(secret) in html  # to type by hand

    wrong = client.post("/settings/security/", {"code": "000000"})
    assert wrong.status_code == 422 and not TOTPDevice.objects.filter(user=alice).exists()

    secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    device = TOTPDevice.objects.get(user=alice)
    assert device.confirmed and device.key == secret and device.name == "authenticator"
    stored = set(RecoveryCode.objects.filter(person=alice).values_list("digest", flat=True))
    assert stored == {two_factor.digest(code) for code in codes}
    assert not stored & {code.replace("-", "") for code in codes}  # hashed, never the code
    assert AuditEntry.objects.filter(action="two_factor_enabled", actor_id=alice.pk).count() == 1
    # Shown once: the page now says it is on and lists no code; the QR code is gone.
    again = client.get("/settings/security/").content.decode()
    assert codes[0] not in again and "10 codes de secours restants" in again
    assert client.get("/settings/security/qr.svg").status_code == 404


def test_a_password_sign_in_asks_for_the_apps_code(make_person: Any) -> None:
    alice = make_person(username="alice")
    owner = Client()
    owner.force_login(alice)
    secret, _codes = enrol(owner)

    client = password_step("alice")
    assert not signed_in(client)
    assert client.get("/").status_code == 302  # nobody signed in yet
    page = client.get("/login/code/")
    assert "Code de connexion" in page.content.decode()
    code = code_for(secret, 1)
    response = client.post("/login/code/", {"code": code})
    assert response.status_code == 302 and signed_in(client)
    assert AuditEntry.objects.filter(action="signed_in", actor_id=alice.pk).exists()

    # The same code again (a replay, or someone looking over the shoulder) does not pass.
    other = password_step("alice")
    replay = other.post("/login/code/", {"code": code})
    assert replay.status_code == 422 and not signed_in(other)
    assert AuditEntry.objects.filter(action="two_factor_failed", actor_id=alice.pk).count() == 1


def test_wrong_codes_are_counted_then_the_password_is_asked_again(make_person: Any) -> None:
    alice = make_person(username="alice")
    owner = Client()
    owner.force_login(alice)
    enrol(owner)
    client = password_step("alice")
    for _attempt in range(two_factor.MAX_ATTEMPTS - 1):
        assert client.post("/login/code/", {"code": "123456"}).status_code in (422, 429)
    last = client.post("/login/code/", {"code": "123456"})
    assert last.status_code == 302 and last["Location"] == "/login/"
    assert client.get("/login/code/")["Location"] == "/login/"  # the pending sign-in is gone
    assert not signed_in(client)
    failures = AuditEntry.objects.filter(action="two_factor_failed", actor_id=alice.pk)
    assert failures.count() == two_factor.MAX_ATTEMPTS


def test_a_throttled_device_refuses_even_the_right_code(make_person: Any) -> None:
    alice = make_person(username="alice")
    owner = Client()
    owner.force_login(alice)
    secret, _codes = enrol(owner)
    # Ten failures just now (from anywhere): django-otp's throttle waits 2^9 s before the next.
    TOTPDevice.objects.filter(user=alice).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    client = password_step("alice")
    response = client.post("/login/code/", {"code": code_for(secret, 1)})
    assert response.status_code == 429 and response["Retry-After"]
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(make_person: Any) -> None:
    alice = make_person(username="alice")
    owner = Client()
    owner.force_login(alice)
    _secret, codes = enrol(owner)
    client = password_step("alice")
    assert client.post("/login/code/", {"code": codes[3].lower()}).status_code == 302
    assert signed_in(client)
    assert RecoveryCode.objects.filter(person=alice, used_at__isnull=False).count() == 1
    assert AuditEntry.objects.filter(action="two_factor_recovery_used").count() == 1
    again = password_step("alice")
    assert again.post("/login/code/", {"code": codes[3]}).status_code == 422


def test_turning_it_off_needs_a_code(make_person: Any) -> None:
    alice = make_person(username="alice")
    client = Client()
    client.force_login(alice)
    secret, _codes = enrol(client)
    refused = client.post("/settings/security/disable/", {"code": "999999"})
    assert refused.status_code == 422 and TOTPDevice.objects.filter(user=alice).exists()
    # The failure started the device's throttle (1 s): as if the member retried a bit later.
    TOTPDevice.objects.filter(user=alice).update(throttling_failure_timestamp=None)
    done = client.post("/settings/security/disable/", {"code": code_for(secret, 1)})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not RecoveryCode.objects.filter(person=alice).exists()
    assert AuditEntry.objects.filter(action="two_factor_disabled", actor_id=alice.pk).count() == 1
    # Off: the password alone signs in again.
    assert Client().post("/login/", {"username": "alice", "password": "demo"})["Location"] == "/"


def test_new_recovery_codes_end_the_old_ones(make_person: Any) -> None:
    alice = make_person(username="alice")
    client = Client()
    client.force_login(alice)
    _secret, old = enrol(client)
    response = client.post("/settings/security/recovery/", {"code": old[0]})
    new = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(actions.Invalid):
        actions.renew_recovery_codes(alice, old[1])


def test_the_organisation_requires_it_of_administrators(make_person: Any, settings: Any) -> None:
    settings.RUCHER_TWO_FACTOR = "admins"
    make_person("admin", username="root")
    make_person(username="emile")
    client = Client()
    assert client.post("/login/", {"username": "root", "password": "demo"}).status_code == 302
    assert client.get("/")["Location"] == "/settings/security/"  # every page leads there
    assert client.get("/spaces/")["Location"] == "/settings/security/"
    page = client.get("/settings/security/").content.decode()
    assert "Votre organisation exige la connexion en deux étapes" in page
    secret = client.session[SECRET_KEY]
    client.post("/settings/security/", {"code": code_for(secret)})
    assert client.get("/").status_code == 200  # on: the rest of rucher opens
    root = TOTPDevice.objects.get(user__username="root").user
    with pytest.raises(actions.Forbidden):  # required: it cannot be turned off
        actions.disable_two_factor(root, code_for(secret, 1))
    # An employee is not asked.
    employee = Client()
    employee.post("/login/", {"username": "emile", "password": "demo"})
    assert employee.get("/").status_code == 200


def test_everyone_when_the_organisation_says_so(make_person: Any, settings: Any) -> None:
    settings.RUCHER_TWO_FACTOR = "everyone"
    make_person(username="emile")
    client = Client()
    client.post("/login/", {"username": "emile", "password": "demo"})
    assert client.get("/")["Location"] == "/settings/security/"


def test_single_sign_on_is_exempt(make_person: Any, settings: Any) -> None:
    settings.RUCHER_TWO_FACTOR = "everyone"
    alice = make_person(username="alice", email="alice@orvanne.example")
    owner = Client()
    owner.force_login(alice)
    enrol(owner)
    request = RequestFactory().get("/sso/oidc/callback/")
    SessionMiddleware(lambda r: None).process_request(request)  # type: ignore[arg-type]
    claims = ExternalClaims(
        protocol="oidc",
        issuer="https://id.orvanne.example",
        subject="alice-1",
        email="alice@orvanne.example",
        email_verified=True,
    )
    response = sso.signed_in(request, claims, "")
    assert response.status_code == 302 and response["Location"] == "/"
    assert request.session["_auth_user_id"] == str(alice.pk)
    assert "rucher_2fa_enrol" not in request.session


def test_the_admins_own_sign_in_form_leads_to_rucher_s(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"


def test_an_sso_only_account_has_nothing_to_set_up(make_person: Any) -> None:
    alice = make_person(username="alice")
    alice.set_unusable_password()
    alice.save()
    client = Client()
    client.force_login(alice)
    page = client.get("/settings/security/").content.decode()
    assert "fournisseur d'identité" in page and "qr.svg" not in page


def test_administrators_need_it_unless_the_organisation_says_otherwise(tmp_path: Any) -> None:
    """The settings' default, read as a fresh server would (the suite itself runs with the
    demo's "optional"); the demo command opts out for its password "demo"."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "RUCHER_TWO_FACTOR"}
    env["RUCHER_DATA_DIR"] = str(tmp_path)
    code = "import rucher.settings as s; print(s.RUCHER_TWO_FACTOR)"
    read = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert read.stdout.strip() == "admins", read.stderr
    from pathlib import Path

    from rucher.commands import demo

    source = Path(demo.__file__).read_text()
    assert 'os.environ.setdefault("RUCHER_TWO_FACTOR", "optional")' in source

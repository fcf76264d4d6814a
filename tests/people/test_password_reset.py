"""Local accounts reset (by e-mail) and change their passwords; a reset lifts the account's
sign-in delays."""

from __future__ import annotations

import email
import re
import socket
from email.message import Message
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from rucher.people import throttle
from rucher.people.models import SignInFailure
from rucher.settings import email_settings

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://testserver(/password/reset/[^/\s]+/[^/\s]+/)")


def ask_for_a_reset(client: Client, address: str) -> Any:
    answer = client.post("/password/reset/", {"email": address})
    assert answer.status_code == 302 and answer.url == "/password/reset/sent/"
    return answer


def choose(client: Client, link: str, password: str) -> Any:
    form = client.get(link, follow=True)  # Django moves the token into the session
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    return client.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )


def test_the_sign_in_page_offers_the_reset_and_the_settings_the_change(
    world: dict[str, Any],
) -> None:
    assert "Mot de passe oublié\u00a0?" in Client().get("/login/").content.decode()
    client = Client()
    client.force_login(world["alice"])
    settings_page = client.get("/settings/").content.decode()
    assert (
        "Changer mon mot de passe" in settings_page
        and 'href="/settings/password/"' in settings_page
    )


def test_a_reset_by_e_mail_works_once_and_lifts_the_sign_in_delays(
    world: dict[str, Any],
) -> None:
    bob = world["bob"]
    bob.email = "bob@example.org"
    bob.save()
    for _ in range(throttle.ACCOUNT_FREE_FAILURES + 1):
        throttle.record_failure("bob", None)
    assert throttle.claim_attempt("bob") is not None  # bob's account is waiting

    ask_for_a_reset(Client(), "bob@example.org")
    ask_for_a_reset(Client(), "nobody@example.org")  # same answer, no e-mail
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@example.org"]
    assert message.subject == "Réinitialisation de votre mot de passe rucher"
    assert "Bonjour Bob Test," in message.body and "Votre identifiant\u00a0: bob" in message.body
    link = LINK.search(message.body)
    assert link, message.body

    client = Client()
    done = choose(client, link[1], "a new long passphrase")
    assert done.status_code == 302 and done.url == "/password/reset/done/"
    assert not SignInFailure.objects.filter(key="u:bob").exists()
    signed_in = Client().post("/login/", {"username": "bob", "password": "a new long passphrase"})
    assert signed_in.status_code == 302

    again = Client().get(link[1], follow=True)  # single use: the password has changed
    assert "Ce lien n’est pas valable" in again.content.decode()


def test_the_reset_e_mail_speaks_english_on_request(world: dict[str, Any]) -> None:
    world["alice"].email = "alice@example.org"
    world["alice"].save()
    ask_for_a_reset(Client(HTTP_ACCEPT_LANGUAGE="en"), "alice@example.org")
    message = mail.outbox[0]
    assert message.subject == "Resetting your rucher password"
    assert "Hello Alice Test," in message.body


def test_a_signed_in_person_changes_their_password(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["carol"])
    wrong = client.post(
        "/settings/password/",
        {"old_password": "nope", "new_password1": "x" * 12, "new_password2": "x" * 12},
    )
    assert wrong.status_code == 200
    new = "another long passphrase"
    done = client.post(
        "/settings/password/",
        {"old_password": "demo", "new_password1": new, "new_password2": new},
    )
    assert done.status_code == 302 and done.url == "/settings/password/done/"
    assert client.get("/").status_code == 200  # still signed in
    assert Client().post("/login/", {"username": "carol", "password": new}).status_code == 302


def test_email_url_forms() -> None:
    assert email_settings("console:")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_settings("file:///var/mail/rucher") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/var/mail/rucher",
    }
    smtp = email_settings("smtp+tls://me%40corp:s%3Acret@mail.corp")
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]) == (
        "mail.corp",
        587,
        True,
    )
    assert (smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == ("me@corp", "s:cret")
    assert email_settings("smtp://relay:2525")["EMAIL_PORT"] == 2525
    assert email_settings("smtps://relay")["EMAIL_USE_SSL"] is True
    from django.core.exceptions import ImproperlyConfigured

    for bad in ("gopher://x", "smtp://", "file:"):
        with pytest.raises(ImproperlyConfigured):
            email_settings(bad)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_reset_e_mail_goes_through_a_real_smtp_server(
    world: dict[str, Any], settings: Any
) -> None:
    from aiosmtpd.controller import Controller

    received: list[tuple[str, list[str], Message]] = []

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            content = envelope.content
            received.append(
                (envelope.mail_from, list(envelope.rcpt_tos), email.message_from_bytes(content))
            )
            return "250 OK"

    port = free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        for name, value in email_settings(f"smtp://127.0.0.1:{port}").items():
            setattr(settings, name, value)
        settings.DEFAULT_FROM_EMAIL = "rucher <noreply@example.org>"
        world["alice"].email = "alice@example.org"
        world["alice"].save()
        ask_for_a_reset(Client(), "alice@example.org")
    finally:
        controller.stop()
    assert len(received) == 1
    sender, recipients, message = received[0]
    assert sender == "noreply@example.org" and recipients == ["alice@example.org"]
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject == "Réinitialisation de votre mot de passe rucher"
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    link = LINK.search(body)
    assert link, body
    assert choose(Client(), link[1], "smtp tested passphrase").status_code == 302
    assert (
        Client()
        .post("/login/", {"username": "alice", "password": "smtp tested passphrase"})
        .status_code
        == 302
    )


def test_reset_e_mails_are_limited_per_address_typed_and_per_client(
    world: dict[str, Any],
) -> None:
    bob = world["bob"]
    bob.email = "bob@example.org"
    bob.save()
    for _ in range(throttle.RESET_MAX_PER_EMAIL):
        ask_for_a_reset(Client(), "bob@example.org")
    assert len(mail.outbox) == throttle.RESET_MAX_PER_EMAIL
    refused = Client().post("/password/reset/", {"email": "BOB@example.org"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "trop de demandes de réinitialisation" in refused.content.decode()
    assert len(mail.outbox) == throttle.RESET_MAX_PER_EMAIL, "no e-mail past the limit"
    # An unknown address counts the same (the limit must not tell who has an account) …
    for _ in range(throttle.RESET_MAX_PER_EMAIL):
        ask_for_a_reset(Client(), "nobody@example.org")
    assert Client().post("/password/reset/", {"email": "nobody@example.org"}).status_code == 429
    # … and one client cannot spray many addresses either.
    SignInFailure.objects.all().delete()
    for number in range(throttle.RESET_MAX_PER_CLIENT):
        ask_for_a_reset(Client(), f"someone{number}@example.org")
    assert Client().post("/password/reset/", {"email": "another@example.org"}).status_code == 429
    # Another client is not held back by that one.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post("/password/reset/", {"email": "bob@example.org"}).status_code == 302


def test_throttled_sign_ins_say_when_to_come_back(world: dict[str, Any]) -> None:
    # Enough failures for a wait of half a minute: a loaded machine cannot outlast it.
    for _ in range(throttle.ACCOUNT_FREE_FAILURES + 6):
        throttle.record_failure("bob", None)
    throttle.claim_attempt("bob")
    page = Client().post("/login/", {"username": "bob", "password": "wrong"})
    assert page.status_code == 429 and int(page["Retry-After"]) >= 1
    api = Client().post(
        "/api/v1/auth/tokens",
        {"username": "bob", "password": "wrong"},
        content_type="application/json",
    )
    assert api.status_code == 429 and int(api["Retry-After"]) >= 1
    assert "detail" in api.json()

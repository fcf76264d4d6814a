"""OpenID Connect sign-in, end to end against a real provider in its own process
(tests/identity/oidc_provider.py): discovery, PKCE, state and nonce, the ID token's signature,
audience and expiry, linking and creating accounts, the group mapping, and every refusal as a
page with a reason, never a 500, never a half-signed-in person."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from rucher.activity.models import Event
from rucher.audit.models import AuditEntry
from rucher.identity.models import ExternalIdentity
from rucher.people.models import Person
from rucher.spaces.models import Membership

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("sso-oidc")]


def english() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def to_provider(client: Client, provider: Any, username: str, **identity: str) -> str:
    """Start at rucher, sign in at the provider; the callback address the provider sends the
    browser back to (its path and query, for the test client)."""
    start = client.get("/sso/oidc/start/")
    assert start.status_code == 302, start.content
    authorize = urlsplit(start["Location"])
    query = parse_qs(authorize.query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"]
    browser = requests.Session()
    browser.get(provider.url("/test-login/"), params={"username": username, **identity})
    answer = browser.get(start["Location"], allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[:500]
    back = urlsplit(answer.headers["Location"])
    assert "code" in parse_qs(back.query), back.query
    return f"{back.path}?{back.query}"


def sign_in(client: Client, provider: Any, username: str, **identity: str) -> Any:
    return client.get(to_provider(client, provider, username, **identity))


def signed_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def test_the_sign_in_page_offers_the_provider(oidc: Any, client: Client) -> None:
    # the language comes from the browser's Accept-Language (French by default)
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign in with Orvanne ID" in page.content.decode()
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Se connecter avec Orvanne ID" in page.content.decode()


def test_no_button_without_a_provider(settings: Any, client: Client, db: Any) -> None:
    assert settings.RUCHER_OIDC_ISSUER == ""  # the suite runs without a provider
    settings.RUCHER_OIDC_ISSUER = ""
    assert "/sso/oidc/start/" not in client.get("/login/").content.decode()
    assert client.get("/sso/oidc/start/").status_code == 404


def test_a_verified_email_links_the_existing_account(oidc: Any, make_person: Any) -> None:
    emile = make_person(username="emile", email="emile@orvanne.example")
    client = english()
    response = sign_in(client, oidc, "e.martin", email="Emile@orvanne.example")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == emile.pk
    link = ExternalIdentity.objects.get(person=emile)
    assert link.issuer == oidc.issuer and link.protocol == "oidc" and link.last_sign_in_at
    assert Event.objects.filter(verb="logged_in", actor_id=emile.pk).count() == 1
    entry = AuditEntry.objects.get(action="signed_in", actor_id=emile.pk)
    assert entry.detail == {"method": "oidc"} and entry.address == "127.0.0.1"


def test_the_subject_finds_the_person_again_whatever_the_email(oidc: Any, make_person: Any) -> None:
    emile = make_person(username="emile", email="emile@orvanne.example")
    sign_in(english(), oidc, "e.martin", email="emile@orvanne.example")
    client = english()
    sign_in(client, oidc, "e.martin", email="emile.martin@new-name.example")
    assert signed_in_as(client) == emile.pk
    assert ExternalIdentity.objects.count() == 1


def test_the_first_sign_in_creates_the_account_when_allowed(
    oidc: Any, settings: Any, make_person: Any, make_space: Any
) -> None:
    settings.RUCHER_SSO_CREATE_ACCOUNTS = True
    owner = make_person(username="owner")
    finance_space = make_space(owner, "Finances", visibility="secret")
    settings.RUCHER_SSO_GROUP_MAP = {
        "finance": {"department": "Finance", "spaces": [finance_space.slug]},
        "partners": {"kind": "partner"},
        "unused": {"department": "Ignored"},
    }
    client = english()
    response = sign_in(
        client, oidc, "nadia", email="nadia@orvanne.example", given="Nadia", family="Haddad",
        groups="finance,everyone",
    )  # fmt: skip
    assert response.status_code == 302
    nadia = Person.objects.get(pk=signed_in_as(client))
    assert (nadia.username, nadia.first_name, nadia.last_name) == ("nadia", "Nadia", "Haddad")
    assert nadia.email == "nadia@orvanne.example" and not nadia.has_usable_password()
    assert nadia.department is not None and nadia.department.name == "Finance"
    assert nadia.kind == "employee"
    assert Membership.objects.filter(person=nadia, space=finance_space, status="active").exists()
    finance_space.refresh_from_db()
    assert finance_space.member_count == 2


def test_no_account_and_no_creation_is_a_clear_refusal(oidc: Any, db: Any) -> None:
    client = english()
    response = sign_in(client, oidc, "stranger", email="stranger@orvanne.example")
    assert response.status_code == 403
    assert "no rucher account yet" in response.content.decode()
    assert signed_in_as(client) is None
    assert not Person.objects.exists() and not ExternalIdentity.objects.exists()
    assert not Event.objects.filter(verb="logged_in").exists()


def test_a_deactivated_account_is_refused(oidc: Any, make_person: Any) -> None:
    make_person(username="gone", email="gone@orvanne.example", is_active=False)
    client = english()
    response = sign_in(client, oidc, "gone", email="gone@orvanne.example")
    assert response.status_code == 403 and "deactivated" in response.content.decode()
    assert signed_in_as(client) is None and not ExternalIdentity.objects.exists()


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("forged", "signature is not the identity provider"),
        ("expired", "has expired"),
        ("wrong-audience", "issued for another application"),
        ("stale-nonce", "does not answer this sign-in"),
    ],
)
def test_a_bad_id_token_is_refused(oidc: Any, make_person: Any, mode: str, reason: str) -> None:
    make_person(username="emile", email="emile@orvanne.example")
    oidc.misbehave(mode)
    client = english()
    response = sign_in(client, oidc, "e.martin", email="emile@orvanne.example")
    assert response.status_code == 400
    assert reason in response.content.decode("utf-8").replace("&#x27;", "'")
    assert signed_in_as(client) is None
    assert not ExternalIdentity.objects.exists()
    assert not Event.objects.filter(verb="logged_in").exists()


def test_a_replayed_callback_is_refused(oidc: Any, make_person: Any) -> None:
    emile = make_person(username="emile", email="emile@orvanne.example")
    client = english()
    callback = to_provider(client, oidc, "e.martin", email="emile@orvanne.example")
    assert client.get(callback).status_code == 302
    client.logout()
    replay = client.get(callback)
    assert replay.status_code == 400 and "already used" in replay.content.decode()
    assert signed_in_as(client) is None
    assert Event.objects.filter(verb="logged_in", actor_id=emile.pk).count() == 1


def test_a_callback_from_another_browser_is_refused(oidc: Any, make_person: Any) -> None:
    make_person(username="emile", email="emile@orvanne.example")
    callback = to_provider(english(), oidc, "e.martin", email="emile@orvanne.example")
    thief = english()
    response = thief.get(callback)
    assert response.status_code == 400 and signed_in_as(thief) is None


def test_a_callback_without_state_or_with_an_error_is_refused(oidc: Any, db: Any) -> None:
    client = english()
    assert client.get("/sso/oidc/callback/?code=abc").status_code == 400
    client.get("/sso/oidc/start/")
    state = client.session.keys()
    response = client.get("/sso/oidc/callback/?error=access_denied&state=whatever")
    assert response.status_code == 400 and state


def test_a_provider_that_is_down_is_a_clear_page(oidc: Any, settings: Any, db: Any) -> None:
    from rucher.identity import oidc as protocol

    settings.RUCHER_OIDC_ISSUER = "http://127.0.0.1:9/o"  # the discard port: nobody answers
    protocol._client.cache_clear()
    client = english()
    response = client.get("/sso/oidc/start/")
    assert response.status_code == 502
    assert "did not answer" in response.content.decode()
    response = client.get("/sso/oidc/callback/?code=abc&state=def")
    assert response.status_code == 502


def test_a_provider_that_goes_down_mid_sign_in(oidc: Any, settings: Any, make_person: Any) -> None:
    from rucher.identity import oidc as protocol

    make_person(username="emile", email="emile@orvanne.example")
    client = english()
    callback = to_provider(client, oidc, "e.martin", email="emile@orvanne.example")
    settings.RUCHER_OIDC_ISSUER = "http://127.0.0.1:9/o"
    protocol._client.cache_clear()
    response = client.get(callback)
    assert response.status_code == 502 and signed_in_as(client) is None


def test_local_passwords_can_be_kept_for_administrators_only(
    oidc: Any, settings: Any, make_person: Any
) -> None:
    settings.RUCHER_LOCAL_PASSWORDS = "admins"
    make_person(username="emile")
    make_person(kind="admin", username="secours")
    client = english()
    refused = client.post("/login/", {"username": "emile", "password": "demo"})
    assert refused.status_code == 200 and signed_in_as(client) is None
    assert "identity provider" in refused.content.decode()
    allowed = client.post("/login/", {"username": "secours", "password": "demo"})
    assert allowed.status_code == 302 and signed_in_as(client) is not None


def test_a_returning_sign_in_costs_a_fixed_number_of_queries(
    oidc: Any, make_person: Any, django_assert_num_queries: Any
) -> None:
    make_person(username="emile", email="emile@orvanne.example")
    sign_in(english(), oidc, "e.martin", email="emile@orvanne.example")
    client = english()
    callback = to_provider(client, oidc, "e.martin", email="emile@orvanne.example")
    # 27 since sessions are named for their owner (people/signals.py): the new session is
    # saved at once (its key), then its SessionRecord is written (update_or_create).
    with django_assert_num_queries(27):
        assert client.get(callback).status_code == 302

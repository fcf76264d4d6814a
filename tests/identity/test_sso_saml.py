"""SAML 2.0 sign-in against a pysaml2 identity provider made by the tests (its own key and
metadata, tests/identity/saml_idp.py): signed assertions required; malformed, unsigned, forged
and replayed answers refused with a page that says why."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from rucher.activity.models import Event
from rucher.audit.models import AuditEntry
from rucher.identity.models import ExternalIdentity

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="needs xmlsec1 (Debian: xmlsec1)"),
]
ATTRIBUTES = {
    "mail": ["emile@orvanne.example"],
    "givenName": ["Émile"],
    "sn": ["Martin"],
    "groups": ["finance"],
}


@pytest.fixture
def idp(settings: Any, tmp_path: Path) -> Any:
    from saml_idp import identity_provider, metadata_of

    from rucher.identity import saml

    settings.RUCHER_SAML_NAME = "ADFS Orvanne"
    # rucher first needs the IdP's metadata, the IdP rucher's: the IdP's key comes first.
    provider = identity_provider(tmp_path, sp_metadata=None)
    (tmp_path / "idp-metadata.xml").write_text(metadata_of(provider))
    settings.RUCHER_SAML_IDP_METADATA = str(tmp_path / "idp-metadata.xml")
    saml._client.cache_clear()
    provider = identity_provider(tmp_path, sp_metadata=saml.metadata())
    yield provider
    saml._client.cache_clear()


def english() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def go(client: Client) -> str:
    start = client.get("/sso/saml/start/")
    assert start.status_code == 302, start.content
    return str(start["Location"])


def signed_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def test_a_signed_assertion_signs_the_person_in(idp: Any, make_person: Any) -> None:
    from saml_idp import answer

    emile = make_person(username="emile", email="emile@orvanne.example")
    client = english()
    assert "Sign in with ADFS Orvanne" in client.get("/login/").content.decode()
    response = client.post(
        "/sso/saml/acs/", {"SAMLResponse": answer(idp, go(client), "emile-42", ATTRIBUTES)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert signed_in_as(client) == emile.pk
    link = ExternalIdentity.objects.get(person=emile)
    assert (link.protocol, link.subject) == ("saml", "emile-42")
    assert Event.objects.filter(verb="logged_in", actor_id=emile.pk).count() == 1
    assert AuditEntry.objects.get(action="signed_in").detail == {"method": "saml"}


def test_a_replayed_answer_is_refused(idp: Any, make_person: Any) -> None:
    from saml_idp import answer

    make_person(username="emile", email="emile@orvanne.example")
    client = english()
    posted = {"SAMLResponse": answer(idp, go(client), "emile-42", ATTRIBUTES)}
    assert client.post("/sso/saml/acs/", posted).status_code == 302
    thief = english()
    replay = thief.post("/sso/saml/acs/", posted)
    assert replay.status_code == 400 and "already used" in replay.content.decode()
    assert signed_in_as(thief) is None
    assert Event.objects.filter(verb="logged_in").count() == 1


def test_an_unsigned_assertion_is_refused(idp: Any, make_person: Any) -> None:
    from saml_idp import answer

    make_person(username="emile", email="emile@orvanne.example")
    client = english()
    unsigned = answer(idp, go(client), "emile-42", ATTRIBUTES, sign_assertion=False)
    response = client.post("/sso/saml/acs/", {"SAMLResponse": unsigned})
    assert response.status_code == 400 and "not signed" in response.content.decode()
    assert signed_in_as(client) is None and not ExternalIdentity.objects.exists()


def test_an_assertion_signed_by_another_key_is_refused(
    idp: Any, make_person: Any, tmp_path: Path
) -> None:
    from saml_idp import answer, identity_provider

    from rucher.identity import saml

    make_person(username="emile", email="emile@orvanne.example")
    impostor = identity_provider(tmp_path, sp_metadata=saml.metadata(), name="impostor")
    client = english()
    forged = answer(impostor, go(client), "emile-42", ATTRIBUTES)
    response = client.post("/sso/saml/acs/", {"SAMLResponse": forged})
    assert response.status_code == 400 and signed_in_as(client) is None


@pytest.mark.parametrize(
    "posted",
    [
        {},
        {"SAMLResponse": "not base64 at all!"},
        {"SAMLResponse": base64.b64encode(b"<unclosed").decode()},
        {"SAMLResponse": base64.b64encode(b"<Response xmlns='x'/>").decode()},
        {"SAMLResponse": base64.b64encode(b"<R InResponseTo='id-unknown'/>").decode()},
    ],
)
def test_a_malformed_answer_is_a_clear_refusal(idp: Any, posted: dict[str, str]) -> None:
    response = english().post("/sso/saml/acs/", posted)
    assert response.status_code == 400
    assert "Sign-in refused" in response.content.decode()


def test_the_metadata_names_the_consumer_service(idp: Any, client: Client) -> None:
    metadata = client.get("/sso/saml/metadata/")
    assert metadata.status_code == 200
    assert "/sso/saml/acs/" in metadata.content.decode()
    assert 'WantAssertionsSigned="true"' in metadata.content.decode()

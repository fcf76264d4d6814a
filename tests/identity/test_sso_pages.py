"""Who may reach the single sign-on endpoints, and how (no provider needed): they are the
way in, so open to visitors; each takes only its method; off when not configured."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/sso/oidc/start/", 404),  # no provider configured: a page that says so
        ("get", "/sso/oidc/callback/", 404),
        ("get", "/sso/saml/start/", 404),
        ("post", "/sso/saml/acs/", 404),
        ("get", "/sso/saml/metadata/", 404),
        ("post", "/sso/oidc/start/", 405),
        ("post", "/sso/oidc/callback/", 405),
        ("get", "/sso/saml/acs/", 405),
    ],
)
def test_endpoints_off_and_methods(method: str, path: str, status: int) -> None:
    assert getattr(Client(), method)(path).status_code == status


def test_a_signed_in_person_may_use_them_too(make_person: Any, settings: Any) -> None:
    settings.RUCHER_OIDC_ISSUER = "http://127.0.0.1:9/o"  # configured, but down
    settings.RUCHER_OIDC_CLIENT_ID = "rucher"
    client = Client()
    client.force_login(make_person())
    assert client.get("/sso/oidc/start/").status_code == 502


def test_the_sign_in_page_without_providers_costs_no_more_queries(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        assert client.get("/login/").status_code == 200


def test_local_passwords_stay_for_everyone_by_default(make_person: Any) -> None:
    make_person(username="emile")
    response = Client().post("/login/", {"username": "emile", "password": "demo"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RUCHER_SSO_GROUP_MAP", "{not json"),
        ("RUCHER_SSO_GROUP_MAP", '{"finance": {"kind": "boss"}}'),
        ("RUCHER_SSO_GROUP_MAP", '{"finance": {"departement": "Finance"}}'),
        ("RUCHER_SSO_GROUP_MAP", '["finance"]'),
        ("RUCHER_LOCAL_PASSWORDS", "none"),
    ],
)
def test_a_malformed_sso_setting_stops_rucher(name: str, value: str) -> None:
    import os
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "rucher.settings", name: value},
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and name in run.stderr

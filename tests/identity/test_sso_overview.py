"""The administrators' overview of sign-in and directory settings: in words, never a secret."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_overview_says_the_configuration_in_words(
    make_person: Any, make_space: Any, settings: Any
) -> None:
    settings.RUCHER_OIDC_ISSUER = "https://id.orvanne.example"
    settings.RUCHER_OIDC_CLIENT_ID = "rucher-prod"
    settings.RUCHER_OIDC_CLIENT_SECRET = "tres-secret-value"
    settings.RUCHER_OIDC_NAME = "Orvanne ID"
    settings.RUCHER_TWO_FACTOR = "admins"
    settings.RUCHER_SSO_GROUP_MAP = {
        "GRP-Finance": {"department": "Finance", "spaces": ["finances", "disparu"]},
        "Partners": {"kind": "partner"},
    }
    admin = make_person("admin", username="root")
    make_space(admin, "Finances")
    client = Client()
    client.force_login(admin)
    html = client.get("/settings/sign-in/").content.decode()
    assert "Se connecter avec Orvanne ID" in html and "rucher-prod" in html
    assert "tres-secret-value" not in html and "un secret est défini" in html
    assert "exigée des administrateurs" in html
    assert '<a href="/spaces/finances/">Finances</a>' in html
    assert "« disparu » : aucun espace de ce nom" in html
    assert "invité partenaire" in html  # the kind in words, not "partner"

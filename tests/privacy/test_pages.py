"""The privacy pages: who may open them (authorization rows), bad input (a form error and a
4xx, nothing written), and their query counts (pinned)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rucher.people.models import Person
from rucher.privacy.models import DataExport, PrivacySettings, SpaceRetention

ACCOUNTS = ("alice", "bob", "gus", "cm", "admin")


@pytest.mark.django_db
@pytest.mark.parametrize("account", ACCOUNTS)
def test_who_may_open_the_privacy_pages(
    world: dict[str, Any], client_for: Any, account: str
) -> None:
    client = client_for(world[account])
    is_admin = account == "admin"
    assert client.get("/settings/privacy/").status_code == 200
    assert client.get(f"/people/{world['bob'].pk}/erase/").status_code == (200 if is_admin else 404)
    assert client.get(f"/spaces/{world['open'].slug}/retention/").status_code == (
        200 if is_admin else 404
    )
    # Another member's export is not found, whoever asks.
    export = DataExport.objects.create(person=world["carol"], status=DataExport.Status.READY)
    assert client.get(f"/settings/privacy/exports/{export.pk}/").status_code == 404


@pytest.mark.django_db
def test_bad_input_is_a_form_error_and_writes_nothing(
    world: dict[str, Any], client_for: Any
) -> None:
    admin, bob = client_for(world["admin"]), client_for(world["bob"])
    wrong = admin.post(f"/spaces/{world['open'].slug}/retention/", {"months": "abc"})
    assert wrong.status_code == 422 and not SpaceRetention.objects.exists()
    assert (
        admin.post(f"/spaces/{world['open'].slug}/retention/", {"months": "0"}).status_code == 422
    )
    refused = admin.post(f"/people/{world['admin'].pk}/erase/", {"confirm": "admin"})
    assert refused.status_code == 409 and "dernier administrateur" in refused.content.decode()
    mistyped = bob.post("/settings/privacy/erase/", {"confirm": "robert"})
    assert mistyped.status_code == 422 and Person.objects.filter(username="bob").exists()
    odd = bob.post("/settings/privacy/", {"activity": "the-moon", "field_bio": "nobody"})
    assert odd.status_code == 422 and not PrivacySettings.objects.exists()


@pytest.mark.django_db
def test_saving_settings_and_erasing_oneself_from_the_page(
    world: dict[str, Any], client_for: Any
) -> None:
    bob = client_for(world["bob"])
    choices = {f"field_{name}": "everyone" for name in ("email", "job_title", "department")}
    choices.update(
        {f"field_{n}": "members" for n in ("site", "manager", "bio", "languages", "skills")},
        field_expertise="nobody",
        activity="my_spaces",
        listed_to_partners="on",
        show_influence="on",
    )
    assert bob.post("/settings/privacy/", choices).status_code == 302
    row = PrivacySettings.objects.get(person=world["bob"])
    assert row.fields["expertise"] == "nobody" and row.activity == "my_spaces"
    assert Person.objects.get(pk=world["bob"].pk).show_influence
    page = bob.get("/settings/privacy/").content.decode()
    assert 'value="nobody" selected' in page
    assert bob.post("/settings/privacy/export/").status_code == 302
    assert DataExport.objects.filter(person=world["bob"]).count() == 1
    gone = bob.post("/settings/privacy/erase/", {"confirm": "bob"})
    assert gone.status_code == 200 and not Person.objects.filter(username="bob").exists()
    assert bob.get("/settings/privacy/").status_code == 302  # signed out


@pytest.mark.django_db
def test_the_privacy_and_retention_pages_cost_a_fixed_number_of_queries(
    world: dict[str, Any], client_for: Any
) -> None:
    bob, admin = client_for(world["bob"]), client_for(world["admin"])
    bob.get("/settings/privacy/")
    with CaptureQueriesContext(connection) as privacy_page:
        bob.get("/settings/privacy/")
    for _n in range(4):
        DataExport.objects.create(person=world["bob"], status=DataExport.Status.READY)
    with CaptureQueriesContext(connection) as with_exports:
        bob.get("/settings/privacy/")
    # session, user, the settings row, the exports, the bell, the navigation column's spaces
    assert len(privacy_page) == len(with_exports) == 6
    with CaptureQueriesContext(connection) as retention:
        admin.get(f"/spaces/{world['open'].slug}/retention/")
    # session, user, the space, the rule, the runs, the bell, the navigation column's spaces
    assert len(retention) == 7

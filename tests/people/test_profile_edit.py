"""Editing one's profile (people/actions.py:update_profile): known fields only, limits, tags
normalised, and an ``edited`` event (names and titles show in streams)."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.errors import Invalid
from rucher.people.actions.profile import MAX_TAGS, PROFILE_LIMITS, update_profile
from rucher.people.models import Department, Site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def organisation_lists(db: Any) -> None:
    """The organisation's departments and sites, kept by its administrators."""
    Department.objects.create(name="Achats")
    Site.objects.create(name="Lyon")


def test_a_profile_edit_saves_the_fields_and_appends_edited(world: dict[str, Any]) -> None:
    bob = world["bob"]
    update_profile(
        bob,
        job_title="  Acheteur ",
        department="Achats",
        site="Lyon",
        skills="sql, Python, SQL",
        expertise=["Contrats"],
        show_influence=True,
    )
    bob.refresh_from_db()
    assert bob.job_title == "Acheteur" and bob.show_influence
    assert bob.department is not None and bob.department.name == "Achats"
    assert bob.site is not None and bob.site.name == "Lyon"
    assert sorted(bob.skills.values_list("name", flat=True)) == ["python", "sql"]
    assert list(bob.expertise.values_list("name", flat=True)) == ["contrats"]
    event = Event.objects.get(verb="edited", object_type="person")
    assert (event.actor_id, event.object_id) == (bob.pk, bob.pk)


def test_a_department_or_site_is_chosen_from_the_organisations_list(
    world: dict[str, Any],
) -> None:
    """A member may not invent a department or a site: it would become a row of every
    cockpit figure by department. The name is matched whatever its case."""
    bob = world["bob"]
    for fields in ({"department": "Service imaginaire"}, {"site": "Atlantide"}):
        with pytest.raises(Invalid, match="list"):
            update_profile(bob, **fields)
    assert list(Department.objects.values_list("name", flat=True)) == ["Achats"]
    assert list(Site.objects.values_list("name", flat=True)) == ["Lyon"]
    update_profile(bob, department="achats", site=" LYON ")
    bob.refresh_from_db()
    assert bob.department is not None and bob.department.name == "Achats"
    assert bob.site is not None and bob.site.name == "Lyon"


def test_the_profile_page_offers_the_organisations_lists(
    world: dict[str, Any], client: Any
) -> None:
    client.force_login(world["bob"])
    page = client.get("/people/me/edit/")
    assert b'<select name="department"' in page.content
    assert b'<option value="Achats">Achats</option>' in page.content
    refused = client.post("/people/me/edit/", {"department": "Service imaginaire"})
    assert refused.status_code == 422
    assert not Department.objects.filter(name="Service imaginaire").exists()


def test_clearing_the_department_and_site(world: dict[str, Any]) -> None:
    bob = world["bob"]
    update_profile(bob, department="Achats", site="Lyon")
    update_profile(bob, department="", site="")
    bob.refresh_from_db()
    assert bob.department is None and bob.site is None


@pytest.mark.parametrize(
    "fields",
    [
        {"password": "x"},
        {"is_staff": True},
        {"job_title": "x" * (PROFILE_LIMITS["job_title"] + 1)},
        {"bio": 12},
        {"skills": [f"s{i}" for i in range(MAX_TAGS + 1)]},
        {"skills": ["x" * 61]},
        {"expertise": 3},
    ],
)
def test_an_invalid_profile_edit_changes_nothing(
    world: dict[str, Any], fields: dict[str, Any]
) -> None:
    bob = world["bob"]
    with pytest.raises(Invalid):
        update_profile(bob, **fields)
    bob.refresh_from_db()
    assert not bob.is_staff and bob.job_title == "" and not bob.skills.exists()
    assert not Event.objects.filter(verb="edited", object_type="person").exists()

"""Contacts (directory/actions.py): a person keeps at hand colleagues they may see; adding and
removing one appends ``added_contact`` / ``removed_contact``."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.directory.actions import add_contact, remove_contact
from rucher.errors import Conflict, Invalid, NotFound

pytestmark = pytest.mark.django_db


def test_adding_and_removing_a_contact_appends_their_events(world: dict[str, Any]) -> None:
    bob, carol = world["bob"], world["carol"]
    add_contact(bob, carol)
    assert list(bob.favourites.all()) == [carol]
    remove_contact(bob, carol)
    assert not bob.favourites.exists()
    events = Event.objects.filter(verb__in=["added_contact", "removed_contact"]).order_by("id")
    assert [(e.verb, e.actor_id, e.object_type, e.object_id, e.target_id) for e in events] == [
        ("added_contact", bob.pk, "person", carol.pk, carol.pk),
        ("removed_contact", bob.pk, "person", carol.pk, carol.pk),
    ]


def test_a_contact_is_added_once_and_removed_once(world: dict[str, Any]) -> None:
    bob, carol = world["bob"], world["carol"]
    add_contact(bob, carol)
    with pytest.raises(Conflict):
        add_contact(bob, carol)
    remove_contact(bob, carol)
    with pytest.raises(NotFound):
        remove_contact(bob, carol)
    assert Event.objects.filter(verb="added_contact").count() == 1
    assert Event.objects.filter(verb="removed_contact").count() == 1


def test_no_one_is_their_own_contact(world: dict[str, Any]) -> None:
    with pytest.raises(Invalid):
        add_contact(world["bob"], world["bob"])


def test_a_guest_cannot_add_someone_outside_their_spaces(world: dict[str, Any]) -> None:
    """gus (a partner guest) sees only the members of his partner space: bob, who is not in
    it, is "not found" (a 404, never a 403), and nothing is written."""
    gus, bob, alice = world["gus"], world["bob"], world["alice"]
    with pytest.raises(NotFound):
        add_contact(gus, bob)
    assert not gus.favourites.exists()
    assert not Event.objects.filter(verb="added_contact").exists()
    add_contact(gus, alice)  # alice owns the partner space: he may see her
    assert list(gus.favourites.all()) == [alice]


def test_a_guest_cannot_add_someone_outside_their_spaces_over_the_api(
    world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(world["gus"])
    assert client.post(f"/api/v1/people/{world['bob'].pk}/contact").status_code == 404
    assert client.post(f"/api/v1/people/{world['alice'].pk}/contact").status_code == 201

"""Managing a space from its page: roles, invitations by members of open spaces."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from rucher.activity.models import Event
from rucher.spaces.models import Membership

pytestmark = pytest.mark.django_db


def role_url(space: Any, membership: Membership) -> str:
    return f"/spaces/{space.slug}/members/{membership.pk}/role/"


def test_an_owner_changes_a_members_role_from_the_page(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    space, alice, carol = world["private"], world["alice"], world["carol"]
    owner = client_for(alice)
    page = owner.get(f"/spaces/{space.slug}/").content.decode()
    mine = Membership.objects.get(space=space, person=carol)
    assert f'action="{role_url(space, mine)}"' in page and f'for="role-{mine.pk}"' in page
    answer = owner.post(role_url(space, mine), {"role": "community_manager"})
    assert answer.status_code == 302
    mine.refresh_from_db()
    assert mine.role == "community_manager"
    event = Event.objects.get(verb="changed_role")
    assert (event.actor_id, event.space_id, event.target_id) == (alice.pk, space.pk, carol.pk)
    # The same role again changes nothing and records nothing.
    owner.post(role_url(space, mine), {"role": "community_manager"})
    assert Event.objects.filter(verb="changed_role").count() == 1


def test_role_changes_are_refused_with_a_reason(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    space, carol = world["private"], world["carol"]
    theirs = Membership.objects.get(space=space, person=carol)
    owners = Membership.objects.get(space=space, person=world["alice"])
    # A plain member sees no role form and cannot post one: the space "does not exist" for it.
    member = client_for(carol)
    assert "members/" not in member.get(f"/spaces/{space.slug}/").content.decode()
    assert member.post(role_url(space, owners), {"role": "member"}).status_code == 404
    owner = client_for(world["alice"])
    bad = owner.post(role_url(space, theirs), {"role": "king"})
    assert bad.status_code == 422 and "role must be one of" in bad.content.decode()
    last = owner.post(role_url(space, owners), {"role": "member"})
    assert last.status_code == 409 and "at least one owner" in last.content.decode()
    elsewhere = Membership.objects.get(space=world["secret"], person=carol)
    assert owner.post(role_url(space, elsewhere), {"role": "member"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == "member" and not Event.objects.filter(verb="changed_role").exists()


def test_a_member_of_an_open_space_invites_a_colleague(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    space, bob = world["open"], world["bob"]
    member = client_for(bob)
    page = member.get(f"/spaces/{space.slug}/").content.decode()
    assert f'action="/spaces/{space.slug}/invite/"' in page
    answer = member.post(f"/spaces/{space.slug}/invite/", {"username": "carol"})
    assert answer.status_code == 302
    assert Membership.objects.get(space=space, person=world["carol"]).status == "invited"
    # A guest cannot be brought into an internal space, even by a member.
    refused = member.post(f"/spaces/{space.slug}/invite/", {"username": "gus"})
    assert refused.status_code == 403
    # In a private space only managers invite: no form for a plain member.
    carol_page = client_for(world["carol"]).get(f"/spaces/{world['private'].slug}/")
    assert "/invite/" not in carol_page.content.decode()


def test_a_member_beyond_the_listed_ones_is_found_by_username(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    space, carol = world["private"], world["carol"]
    owner = client_for(world["alice"])
    url = f"/spaces/{space.slug}/roles/"
    assert f'action="{url}"' in owner.get(f"/spaces/{space.slug}/").content.decode()
    page = owner.get(f"/spaces/{space.slug}/").content.decode()
    assert '<option value="">Choose a role…</option>' in page  # no role preselected
    assert owner.post(url, {"username": "carol", "role": ""}).status_code == 422
    answer = owner.post(url, {"username": "@carol", "role": "community_manager"})
    assert answer.status_code == 302
    assert Membership.objects.get(space=space, person=carol).role == "community_manager"
    unknown = owner.post(url, {"username": "bob", "role": "owner"})  # not a member here
    assert unknown.status_code == 422 and "No member" in unknown.content.decode()
    # carol now manages the space, but only an owner touches the owner role.
    demoted = client_for(carol).post(url, {"username": "alice", "role": "member"})
    assert demoted.status_code == 403
    assert Membership.objects.get(space=space, person=world["alice"]).role == "owner"

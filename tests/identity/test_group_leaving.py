"""Leaving a group at the provider takes the person out of the spaces that group gave them,
and only those (a membership from elsewhere, or a role given since, stays)."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.identity import actions
from rucher.identity.claims import ExternalClaims
from rucher.identity.models import GroupGrant
from rucher.spaces.models import Membership, Space

pytestmark = pytest.mark.django_db


def claims(*groups: str) -> ExternalClaims:
    return ExternalClaims(
        protocol="oidc",
        issuer="https://id.orvanne.example",
        subject="alice-1",
        email="alice@orvanne.example",
        email_verified=True,
        groups=groups,
    )


def test_leaving_a_group_leaves_only_the_spaces_it_gave(
    make_person: Any, make_space: Any, settings: Any
) -> None:
    settings.RUCHER_SSO_GROUP_MAP = {
        "Finance": {"spaces": ["finances", "achats"]},
        "Achats": {"spaces": ["achats"]},
    }
    owner = make_person(username="owner")
    alice = make_person(username="alice", email="alice@orvanne.example")
    finances = make_space(owner, "Finances", visibility="private")
    achats = make_space(owner, "Achats", visibility="private")
    already = make_space(owner, "Club", visibility="private", members=(alice,))
    settings.RUCHER_SSO_GROUP_MAP["Finance"]["spaces"].append(already.slug)
    assert {finances.slug, achats.slug} == {"finances", "achats"}

    actions.sign_in_with(claims("Finance", "Achats"))
    mine = set(Membership.objects.filter(person=alice).values_list("space__slug", flat=True))
    assert mine == {"finances", "achats", already.slug}
    # The club membership was hers before: no grant, never taken back.
    assert set(GroupGrant.objects.filter(person=alice).values_list("space__slug", flat=True)) == {
        "finances",
        "achats",
    }
    count = Space.objects.get(pk=finances.pk).member_count

    actions.sign_in_with(claims("Achats"))  # she left Finance at the provider
    mine = set(Membership.objects.filter(person=alice).values_list("space__slug", flat=True))
    assert mine == {"achats", already.slug}  # achats still comes from the Achats group
    assert Space.objects.get(pk=finances.pk).member_count == count - 1

    # Made community manager of achats since: leaving every group keeps that role.
    Membership.objects.filter(person=alice, space=achats).update(
        role=Membership.Role.COMMUNITY_MANAGER
    )
    actions.sign_in_with(claims())
    mine = set(Membership.objects.filter(person=alice).values_list("space__slug", flat=True))
    assert mine == {"achats", already.slug}
    assert not GroupGrant.objects.filter(person=alice).exists()

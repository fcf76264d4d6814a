from __future__ import annotations

from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.errors import ActionError, Conflict, Forbidden, Invalid, NotFound
from rucher.spaces import actions
from rucher.spaces.models import Membership, Space

pytestmark = pytest.mark.django_db


def test_open_private_and_secret_joining(world: dict[str, Any]) -> None:
    bob = world["bob"]
    with pytest.raises(Conflict):
        actions.join_space(bob, world["open"])  # already a member
    request = actions.join_space(bob, world["private"])
    assert request.status == Membership.Status.REQUESTED
    with pytest.raises(Conflict):
        actions.join_space(bob, world["private"])
    with pytest.raises(NotFound):
        actions.join_space(bob, world["secret"])
    with pytest.raises(Forbidden):
        actions.approve_request(bob, request)
    actions.approve_request(world["alice"], request)
    assert Membership.objects.get(pk=request.pk).status == Membership.Status.ACTIVE
    assert Space.objects.get(pk=world["private"].pk).member_count == 3


def test_guests_only_by_invitation_and_only_into_partner_spaces(
    world: dict[str, Any], make_person: Any
) -> None:
    alice = world["alice"]
    newcomer = make_person("partner", username="gina")
    with pytest.raises(Forbidden):
        actions.invite(alice, world["open"], newcomer)
    with pytest.raises(NotFound):
        actions.join_space(newcomer, world["partner"])  # not invited: does not exist for her
    actions.invite(alice, world["partner"], newcomer)
    assert actions.join_space(newcomer, world["partner"]).status == Membership.Status.ACTIVE
    with pytest.raises(Forbidden):
        actions.create_space(newcomer, "Chez moi")


def test_each_action_appends_exactly_one_event(world: dict[str, Any]) -> None:
    bob = world["bob"]
    before = Event.objects.count()
    actions.leave_space(bob, world["open"])
    actions.join_space(bob, world["open"])
    assert [e.verb for e in Event.objects.order_by("id")[before:]] == ["left_space", "joined_space"]


def test_last_owner_cannot_leave_and_bad_names(world: dict[str, Any]) -> None:
    with pytest.raises(Conflict):
        actions.leave_space(world["alice"], world["open"])
    for name in ("", "x" * 121):
        with pytest.raises(Invalid):
            actions.create_space(world["alice"], name)
    with pytest.raises(Invalid):
        actions.create_space(world["alice"], "Ok", visibility="public")


def test_hubs_have_one_level_of_sub_spaces(world: dict[str, Any]) -> None:
    alice = world["alice"]
    hub = actions.create_space(alice, "Hub")
    child = actions.create_space(alice, "Enfant", parent_id=hub.pk)
    assert child.parent_id == hub.pk
    with pytest.raises(Invalid):
        actions.create_space(alice, "Petit-enfant", parent_id=child.pk)
    with pytest.raises(Forbidden):
        actions.create_space(world["bob"], "Intrus", parent_id=hub.pk)


def test_an_invitation_is_all_or_nothing(world: dict[str, Any], monkeypatch: Any) -> None:
    """Review of session 2: a helper inserted above ``invite`` took its @transaction.atomic."""
    private = world["private"]
    actions.join_space(world["bob"], private)  # bob asked to join: inviting him approves him
    before = Space.objects.get(pk=private.pk).member_count

    def failing_record(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the event log is unavailable")

    monkeypatch.setattr(actions, "record", failing_record)
    with pytest.raises(RuntimeError):
        actions.invite(world["alice"], private, world["bob"])
    assert Membership.objects.get(space=private, person=world["bob"]).status == "requested"
    assert Space.objects.get(pk=private.pk).member_count == before


def test_a_space_community_manager_cannot_depose_the_owner(
    world: dict[str, Any], make_person: Any
) -> None:
    alice = world["alice"]
    dave = make_person(username="dave")
    actions.join_space(dave, world["open"])
    dave_membership = Membership.objects.get(person=dave, space=world["open"])
    actions.set_role(alice, dave_membership, "community_manager")
    owner = Membership.objects.get(person=alice, space=world["open"])
    with pytest.raises(ActionError):
        actions.set_role(dave, owner, "member")  # the space would be left without an owner


def test_sub_spaces_of_a_secret_hub_are_secret(world: dict[str, Any], client_for: Any) -> None:
    """A visible sub-space would reveal its secret hub's id: sub-spaces of a secret hub are
    secret themselves."""
    alice, bob = world["alice"], world["bob"]
    with pytest.raises(ActionError):
        actions.create_space(alice, "Sous-espace", parent_id=world["secret"].pk)
    child = actions.create_space(
        alice, "Sous-espace", parent_id=world["secret"].pk, visibility="secret"
    )
    assert client_for(bob).get(f"/api/v1/spaces/{child.pk}").status_code == 404

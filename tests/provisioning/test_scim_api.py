"""SCIM behaviours the conformance checker does not look at: who may call, bad input, the
mapping to rucher's accounts, departments and spaces, and what deactivation ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.people.models import AccessToken, Department, Person, SessionRecord
from rucher.spaces.actions import join_space
from rucher.spaces.models import Membership

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def a_user(username: str = "jdupont", **extra: Any) -> dict[str, Any]:
    return {
        "schemas": [USER],
        "userName": username,
        "name": {"givenName": "Jeanne", "familyName": "Dupont"},
        "emails": [{"value": f"{username}@example.org", "primary": True}],
        "title": "Acheteuse",
        **extra,
    }


pytestmark = pytest.mark.django_db


def test_no_token_or_a_wrong_one_is_a_401_scim_error(client: Any, scim: Callable[..., Any]) -> None:
    answer = client.get("/scim/v2/Users")
    assert answer.status_code == 401
    assert answer.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    wrong = client.get("/scim/v2/Users", HTTP_AUTHORIZATION="Bearer scim_nope")
    assert wrong.status_code == 401


def test_create_makes_an_account_through_the_people_action(scim: Callable[..., Any]) -> None:
    answer = scim("post", "/Users", a_user())
    assert answer.status_code == 201, answer.content
    assert answer["Content-Type"] == "application/scim+json"
    body = answer.json()
    person = Person.objects.get(username="jdupont")
    assert (person.first_name, person.last_name, person.job_title) == (
        "Jeanne",
        "Dupont",
        "Acheteuse",
    )
    assert person.email == "jdupont@example.org"
    assert not person.has_usable_password()
    assert body["id"] and body["meta"]["location"].endswith(f"/Users/{body['id']}")
    assert Event.objects.filter(verb="created_account", target_id=person.pk).count() == 1


def test_the_same_user_name_twice_is_a_409_uniqueness(scim: Callable[..., Any]) -> None:
    scim("post", "/Users", a_user())
    again = scim("post", "/Users", a_user())
    assert again.status_code == 409
    assert again.json()["scimType"] == "uniqueness"


def test_an_administrator_account_is_not_taken_over(scim: Callable[..., Any]) -> None:
    answer = scim("post", "/Users", a_user("dsi"))
    assert answer.status_code == 409
    assert Person.objects.get(username="dsi").kind == "admin"


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        {"schemas": [USER]},  # no userName
        {**a_user(), "shoeSize": 42},  # an unknown attribute
        {**a_user(), "active": "maybe"},  # a wrong type
        {**a_user(), "emails": [{"value": "not an address", "primary": True}]},
        {**a_user(), "title": "x" * 500},
        {**a_user("bad name!")},
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(scim: Callable[..., Any], body: Any) -> None:
    people, events = Person.objects.count(), Event.objects.count()
    answer = scim("post", "/Users", body)
    assert answer.status_code == 400, answer.content
    error = answer.json()
    assert error["status"] == "400" and error["detail"]
    assert (Person.objects.count(), Event.objects.count()) == (people, events)


def test_filters_and_paging(scim: Callable[..., Any]) -> None:
    for name in ("alice", "albert", "bruno", "carla", "alma"):
        scim("post", "/Users", a_user(name))
    found = scim("get", '/Users?filter=userName eq "bruno"').json()
    assert [r["userName"] for r in found["Resources"]] == ["bruno"]
    starting = scim("get", '/Users?filter=userName sw "al" and title co "cheteu"').json()
    assert starting["totalResults"] == 3
    present = scim("get", '/Users?filter=title pr or userName eq "nobody"').json()
    assert present["totalResults"] == 5
    page = scim("get", "/Users?startIndex=2&count=2").json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
    assert [r["userName"] for r in page["Resources"]] == ["albert", "bruno"]
    bad = scim("get", "/Users?filter=userName zz 1")
    assert bad.status_code == 400
    assert bad.json()["scimType"] == "invalidFilter"


def test_a_connection_sees_only_what_it_provisioned(
    scim: Callable[..., Any], client: Any, connection: Any
) -> None:
    from rucher.provisioning.actions import create_connection

    scim("post", "/Users", a_user())
    _other, token = create_connection(connection[0].acting_as, "okta")
    listing = client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert listing["totalResults"] == 0


def test_deactivation_signs_out_everywhere_and_keeps_the_account(
    scim: Callable[..., Any], client: Any
) -> None:
    from django.contrib.sessions.models import Session

    from rucher.people.actions import create_token

    user_id = scim("post", "/Users", a_user()).json()["id"]
    person = Person.objects.get(username="jdupont")
    person.set_password("secret-pw-1")
    person.save()
    browser = type(client)()
    assert browser.login(username="jdupont", password="secret-pw-1")
    assert SessionRecord.objects.filter(person=person).count() == 1
    create_token(person, "script")
    patch = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    answer = scim("patch", f"/Users/{user_id}", patch)
    assert answer.status_code == 200, answer.content
    assert answer.json()["active"] is False
    person.refresh_from_db()
    assert not person.is_active and person.left_at is not None
    assert not Session.objects.exists()
    assert not SessionRecord.objects.filter(person=person).exists()
    assert not AccessToken.objects.filter(person=person, revoked_at__isnull=True).exists()
    assert Event.objects.filter(verb="deactivated_account", target_id=person.pk).count() == 1
    assert browser.get("/").status_code == 302  # signed out


def test_delete_deactivates_and_forgets_the_link(scim: Callable[..., Any]) -> None:
    user_id = scim("post", "/Users", a_user()).json()["id"]
    assert scim("delete", f"/Users/{user_id}").status_code == 204
    assert scim("get", f"/Users/{user_id}").status_code == 404
    person = Person.objects.get(username="jdupont")  # the account and its content stay
    assert not person.is_active


def test_a_group_is_a_department_and_moves_its_members(scim: Callable[..., Any]) -> None:
    user_id = scim("post", "/Users", a_user()).json()["id"]
    group = scim(
        "post",
        "/Groups",
        {"schemas": [GROUP], "displayName": "Achats", "members": [{"value": user_id}]},
    )
    assert group.status_code == 201, group.content
    person = Person.objects.get(username="jdupont")
    assert person.department == Department.objects.get(name="Achats")
    emptied = {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "members"}]}
    assert scim("patch", f"/Groups/{group.json()['id']}", emptied).status_code == 200
    person.refresh_from_db()
    assert person.department is None


def test_a_group_can_be_a_space(scim: Callable[..., Any], connection: Any, make_space: Any) -> None:
    from rucher.spaces.models import Membership

    connection[0].group_target = "spaces"
    connection[0].save()
    space = make_space(connection[0].acting_as, name="Communauté achats")
    user_id = scim("post", "/Users", a_user()).json()["id"]
    scim(
        "post",
        "/Groups",
        {"schemas": [GROUP], "displayName": "communauté achats", "members": [{"value": user_id}]},
    )
    assert Membership.objects.filter(space=space, person__username="jdupont").exists()
    space.refresh_from_db()
    assert space.member_count == 2


def test_leaving_a_group_leaves_only_the_space_memberships_it_gave(
    scim: Callable[..., Any], connection: Any, make_space: Any, make_person: Any
) -> None:
    connection[0].group_target = "spaces"
    connection[0].save()
    space = make_space(connection[0].acting_as, name="Achats", visibility="open")
    given = scim("post", "/Users", a_user()).json()["id"]
    before = scim("post", "/Users", a_user("cmartin")).json()["id"]
    join_space(Person.objects.get(username="cmartin"), space)  # in the space before the group
    group = scim(
        "post",
        "/Groups",
        {
            "schemas": [GROUP],
            "displayName": "Achats",
            "members": [{"value": given}, {"value": before}],
        },
    ).json()["id"]
    space.refresh_from_db()
    assert space.member_count == 3
    emptied = {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "members"}]}
    assert scim("patch", f"/Groups/{group}", emptied).status_code == 200
    members = set(Membership.objects.filter(space=space).values_list("person__username", flat=True))
    assert "jdupont" not in members  # the group gave it: taken back
    assert "cmartin" in members  # hers before the group: kept
    space.refresh_from_db()
    assert space.member_count == 2


def test_a_member_must_be_a_user_of_the_connection(scim: Callable[..., Any]) -> None:
    answer = scim(
        "post",
        "/Groups",
        {
            "schemas": [GROUP],
            "displayName": "X",
            "members": [{"value": "00000000-0000-0000-0000-000000000000"}],
        },
    )
    assert answer.status_code == 400


def test_discovery_documents(scim: Callable[..., Any]) -> None:
    config = scim("get", "/ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
    types = scim("get", "/ResourceTypes").json()
    assert {r["id"] for r in types["Resources"]} == {"User", "Group"}
    schema = scim("get", f"/Schemas/{USER}")
    assert schema.status_code == 200
    assert scim("get", "/Nothing/here").status_code == 404


def test_listing_users_costs_a_fixed_number_of_queries(
    scim: Callable[..., Any], django_assert_num_queries: Any
) -> None:
    for name in ("a1", "a2", "a3"):
        scim("post", "/Users", a_user(name))
    with django_assert_num_queries(2):  # the connection, the users with their accounts
        scim("get", "/Users")
    for name in ("a4", "a5", "a6"):
        scim("post", "/Users", a_user(name))
    with django_assert_num_queries(2):
        scim("get", "/Users")

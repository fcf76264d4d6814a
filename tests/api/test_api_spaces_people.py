"""/api/v1/spaces and /api/v1/people: shapes, joins and leaves, filters, validation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rucher.people.actions.tokens import create_token
from rucher.spaces.models import Membership

pytestmark = pytest.mark.django_db


def as_(person: Any) -> Client:
    _, raw = create_token(person)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_space_shape_carries_kind_visibility_confidential_parent_and_membership(
    world: dict[str, Any],
) -> None:
    space = as_(world["carol"]).get(f"/api/v1/spaces/{world['confidential'].pk}").json()
    assert space == {
        "id": world["confidential"].pk,
        "name": "Confidentiel",
        "slug": space["slug"],
        "description": "",
        "kind": "internal",
        "visibility": "private",
        "confidential": True,
        "parent_id": None,
        "member_count": 2,
        "my_membership": {"role": "member", "status": "active"},
    }


def test_create_space_then_sub_space(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    hub = client.post(
        "/api/v1/spaces", {"name": "Qualité", "visibility": "open"}, content_type="application/json"
    )
    assert hub.status_code == 201
    assert hub.json()["my_membership"] == {"role": "owner", "status": "active"}
    sub = client.post(
        "/api/v1/spaces",
        {"name": "Qualité Lyon", "parent_id": hub.json()["id"]},
        content_type="application/json",
    )
    assert sub.status_code == 201 and sub.json()["parent_id"] == hub.json()["id"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"name": ""}, 422, "name"),
        ({"name": "x" * 121}, 422, "name"),
        ({"name": "ok", "visibility": "public"}, 422, "visibility"),
        ({"name": "ok", "kind": "customer"}, 422, "kind"),
        ({"name": 12}, 422, "name"),
        ({"name": "ok", "parent_id": 999999}, 404, "space not found"),
    ],
)
def test_create_space_validation(
    world: dict[str, Any], body: dict[str, Any], status: int, words: str, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    answer = as_(world["bob"]).post("/api/v1/spaces", body, content_type="application/json")
    assert answer.status_code == status
    assert words in answer.json()["detail"]


def test_guest_cannot_create_spaces(world: dict[str, Any]) -> None:
    answer = as_(world["gus"]).post(
        "/api/v1/spaces", {"name": "Chez nous"}, content_type="application/json"
    )
    assert answer.status_code == 403


def test_join_leave_and_duplicate_join(world: dict[str, Any], settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    client, space = as_(world["carol"]), world["open"]
    joined = client.post(f"/api/v1/spaces/{space.pk}/join")
    assert joined.status_code == 200
    assert joined.json()["my_membership"]["status"] == "active"
    assert joined.json()["member_count"] == 3
    again = client.post(f"/api/v1/spaces/{space.pk}/join")
    assert again.status_code == 409 and again.json() == {"detail": "already a member of this space"}
    assert client.post(f"/api/v1/spaces/{space.pk}/leave").status_code == 204
    assert client.post(f"/api/v1/spaces/{space.pk}/leave").status_code == 404
    assert client.get(f"/api/v1/spaces/{space.pk}").json()["member_count"] == 2


def test_joining_a_private_space_is_a_request(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    asked = client.post(f"/api/v1/spaces/{world['private'].pk}/join")
    assert asked.status_code == 202
    assert asked.json()["my_membership"]["status"] == "requested"
    assert client.post(f"/api/v1/spaces/{world['private'].pk}/join").status_code == 409
    assert Membership.objects.filter(person=world["bob"], space=world["private"]).count() == 1


@pytest.mark.parametrize("space_id", ["abc", "999999", "-1"])
def test_unknown_or_malformed_space_ids(world: dict[str, Any], space_id: str) -> None:
    answer = as_(world["bob"]).get(f"/api/v1/spaces/{space_id}")
    assert answer.status_code in (404, 422)
    assert "detail" in answer.json()


def test_space_list_pages_with_a_cursor_and_filters(world: dict[str, Any]) -> None:
    client = as_(world["carol"])
    seen: list[int] = []
    cursor = None
    while True:
        url = "/api/v1/spaces?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    everything = client.get("/api/v1/spaces?limit=100").json()["items"]
    assert seen == [s["id"] for s in everything] and len(seen) == len(set(seen)) == 5
    mine = client.get("/api/v1/spaces?mine=true").json()["items"]
    assert {s["name"] for s in mine} == {"Privé", "Secret", "Confidentiel"}
    partner = client.get("/api/v1/spaces?kind=partner").json()["items"]
    assert [s["name"] for s in partner] == ["Partenaires"]


@pytest.mark.parametrize(
    "query", ["cursor=%%%", "cursor=WzFd", "limit=0", "limit=101", "limit=ten", "visibility=public"]
)
def test_space_list_rejects_bad_paging(world: dict[str, Any], query: str) -> None:
    answer = as_(world["bob"]).get(f"/api/v1/spaces?{query}")
    assert answer.status_code == 422
    assert isinstance(answer.json()["detail"], str)


def test_directory_search_and_filters(world: dict[str, Any], make_person: Any) -> None:
    from rucher.people.actions import update_profile
    from rucher.people.models import Site

    Site.objects.create(name="Lyon")
    dana = make_person(username="dana", first_name="Dana", last_name="Roux", department="Finance")
    update_profile(dana, site="Lyon", skills=["SQL", "python"], job_title="Analyste")
    client = as_(world["bob"])

    def names(query: str) -> list[str]:
        answer = client.get(f"/api/v1/people?{query}")
        assert answer.status_code == 200, answer.content
        return [p["username"] for p in answer.json()["items"]]

    assert names("query=dana") == ["dana"]
    assert names("query=analyste") == ["dana"]
    assert names("department=finance") == ["dana"]
    assert names("site=Lyon&skill=sql") == ["dana"]
    assert names("skill=cobol") == []
    profile = client.get(f"/api/v1/people/{dana.pk}").json()
    assert profile["department"] == "Finance" and profile["skills"] == ["python", "sql"]
    assert client.get("/api/v1/people/999999").status_code == 404


def test_directory_pages_never_repeat(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    seen: list[int] = []
    cursor = None
    while True:
        page = client.get("/api/v1/people?limit=4" + (f"&cursor={cursor}" if cursor else ""))
        seen += [p["id"] for p in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6


def test_contacts(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    carol = world["carol"].pk
    assert client.post(f"/api/v1/people/{carol}/contact").status_code == 201
    assert client.post(f"/api/v1/people/{carol}/contact").status_code == 409
    assert client.delete(f"/api/v1/people/{carol}/contact").status_code == 204
    assert client.delete(f"/api/v1/people/{carol}/contact").status_code == 404

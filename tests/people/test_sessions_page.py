"""A member sees their signed-in sessions and signs out the others."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from rucher.people.models import SessionRecord

pytestmark = pytest.mark.django_db
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def signed_in(username: str, agent: str = FIREFOX) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    answer = client.post("/login/", {"username": username, "password": "demo"})
    assert answer.status_code == 302
    return client


def test_sessions_are_listed_with_device_and_address(world: dict[str, Any]) -> None:
    here = signed_in("alice")
    signed_in("alice", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1")
    page = here.get("/settings/sessions/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Firefox on Windows" in text or "Firefox sur Windows" in text
    assert "Safari" in text and "127.0.0.1" in text


def test_signing_out_the_others_keeps_this_one(world: dict[str, Any]) -> None:
    here = signed_in("alice")
    elsewhere = signed_in("alice")
    bobs = signed_in("bob")
    assert here.post("/settings/sessions/").status_code == 200
    assert here.get("/settings/sessions/").status_code == 200
    assert elsewhere.get("/settings/sessions/").status_code == 302  # signed out
    assert bobs.get("/settings/sessions/").status_code == 200  # someone else's stays
    assert SessionRecord.objects.filter(person=world["alice"]).count() == 1
    assert Session.objects.count() == 2


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    assert client.get("/settings/sessions/").status_code == 302


def test_the_page_costs_a_fixed_number_of_queries(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    here = signed_in("alice")
    here.get("/settings/sessions/")
    # session, person, the records, the bell, the navigation column's spaces
    with django_assert_num_queries(5):
        here.get("/settings/sessions/")
    for _ in range(3):
        signed_in("alice")
    with django_assert_num_queries(5):
        here.get("/settings/sessions/")


def test_an_administrator_revokes_any_token_and_ends_any_session(
    world: dict[str, Any], client_for: Any
) -> None:
    from rucher.people.actions import create_token
    from rucher.people.models import AccessToken

    token, _raw = create_token(world["alice"], "script")
    bob = signed_in("bob")
    admin = client_for(world["admin"])
    assert admin.get("/admin/people/accesstoken/").status_code == 200
    assert admin.get("/admin/people/sessionrecord/").status_code == 200
    admin.post(
        "/admin/people/accesstoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert AccessToken.objects.get(pk=token.pk).revoked_at is not None
    record = SessionRecord.objects.get(person=world["bob"])
    admin.post(
        "/admin/people/sessionrecord/",
        {"action": "sign_out", "_selected_action": [record.pk]},
    )
    assert bob.get("/settings/sessions/").status_code == 302


@pytest.mark.parametrize("kind", ["alice", "cm"])
def test_members_and_community_managers_cannot_reach_those_pages(
    world: dict[str, Any], client_for: Any, kind: str
) -> None:
    client = client_for(world[kind])
    assert client.get("/admin/people/accesstoken/").status_code == 302
    assert client.get("/admin/people/sessionrecord/").status_code == 302

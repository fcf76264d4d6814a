"""Who opens an event stream: the session of the pages, or a personal access token."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.live.endpoint import authenticate
from rucher.people.actions.tokens import create_token, revoke_token


@pytest.mark.django_db
def test_a_session_costs_two_queries_and_a_token_one(
    world: dict[str, Any], client_for: Any, django_assert_num_queries: Any
) -> None:
    session = client_for(world["bob"]).cookies["sessionid"].value
    with django_assert_num_queries(2):  # the session, the person
        assert authenticate({"cookie": f"sessionid={session}"}) == world["bob"]
    _, raw = create_token(world["bob"], "live", lifetime_days=None)
    with django_assert_num_queries(1):  # the token with its person
        assert authenticate({"authorization": f"Bearer {raw}"}) == world["bob"]


@pytest.mark.django_db
def test_nobody_else(world: dict[str, Any], client_for: Any) -> None:
    token, raw = create_token(world["bob"], "live", lifetime_days=None)
    session = client_for(world["bob"]).cookies["sessionid"].value
    revoke_token(world["bob"], token.pk)
    for headers in (
        {},
        {"cookie": "sessionid=forged"},
        {"cookie": "=; ;;"},
        {"authorization": f"Bearer {raw}"},  # revoked
        {"authorization": f"Basic {raw}"},
        {"authorization": "Bearer "},
    ):
        assert authenticate(headers) is None, headers
    world["bob"].is_active = False
    world["bob"].save()
    assert authenticate({"cookie": f"sessionid={session}"}) is None

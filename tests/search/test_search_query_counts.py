"""Query counts of the search page, the API and the suggestions: pinned, and the same with
three times more matching content (no query per result)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rucher.conversations import actions
from rucher.meaning.vectors import embed_all
from rucher.people.actions.tokens import create_token

pytestmark = pytest.mark.django_db

# The page: session, person, the search (the engine's best matches, then the read policy over
# them), the vectors' freshness check and the meaning list mapped to index rows
# (rucher.meaning), its rows, the confidential check, the spaces of the filter, the header's
# unread count, the navigation column's spaces.
PAGE_QUERIES = 11
# The token, the best matches, the policy, the vectors' check, the meaning list, the rows, the
# confidential check.
API_QUERIES = 7
# Session, person, the best matches, the policy, the rows, the check (words only).
SUGGEST_QUERIES = 6


def _count(call: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = call()
    assert answer.status_code == 200, answer.content
    return len(captured)


def _more(world: dict[str, Any], index_now: Any, n: int) -> None:
    for i in range(n):
        post = actions.publish(world["alice"], world["open"], f"Ruche connectée {i} #capteur")
        actions.reply(world["bob"], post, f"Capteur de ruche {i}")
    index_now()
    embed_all()  # the worker's sentence vectors, so the meaning list is not empty


def test_search_page_api_and_suggestions_cost_a_fixed_number_of_queries(
    world: dict[str, Any], index_now: Any, client_for: Any
) -> None:
    _more(world, index_now, 2)
    browser = client_for(world["bob"])
    _, raw = create_token(world["bob"])
    from django.test import Client

    api = Client(headers={"Authorization": f"Bearer {raw}"})
    calls = {
        "page": lambda: browser.get("/search/", {"q": "ruche connectée"}),
        "api": lambda: api.get("/api/v1/search", {"q": "ruche connectée"}),
        "suggest": lambda: browser.get("/search/suggest/", {"q": "ruch"}),
    }
    calls["api"]()  # the token's first use is stamped once (not a cost of search)
    small = {name: _count(call) for name, call in calls.items()}
    _more(world, index_now, 6)
    large = {name: _count(call) for name, call in calls.items()}
    assert small == large
    assert small == {"page": PAGE_QUERIES, "api": API_QUERIES, "suggest": SUGGEST_QUERIES}

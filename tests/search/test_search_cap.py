"""The read policy checks only the engine's best matches (RUCHER_SEARCH_CANDIDATES): the
results are the same as ranking every match, also when the policy leaves most of them out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rucher.conversations import actions
from rucher.search import queries

pytestmark = pytest.mark.django_db


def test_capped_candidates_give_the_same_results(
    world: dict[str, Any], index_now: Callable[[], int], find: Callable[..., Any], settings: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    for i in range(12):  # strong matches bob may not read
        actions.publish(alice, world["secret"], f"budget budget budget secret {i}")
    for i in range(5):
        actions.publish(alice, world["open"], f"budget ouvert {i} " + "mot " * i)
    index_now()
    settings.RUCHER_SEARCH_CANDIDATES = 0
    everything = find(bob, "budget")
    assert len(everything) == 5
    for cap in (1, 3, 20):
        settings.RUCHER_SEARCH_CANDIDATES = cap
        assert find(bob, "budget") == everything
    # Depth smaller than the allowed matches: the cap holds (no fallback) and stays exact.
    settings.RUCHER_SEARCH_CANDIDATES = 3
    allowed = queries.allowed_entries(bob, queries.parse_filters(bob))
    query = queries.parse_query("budget")
    capped = queries.words_list(allowed, query, depth=2)
    settings.RUCHER_SEARCH_CANDIDATES = 0
    assert capped.ids == queries.words_list(allowed, query, depth=2).ids

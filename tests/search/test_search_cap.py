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


def test_a_common_word_is_ranked_among_its_newest_matches(
    world: dict[str, Any], index_now: Callable[[], int], find: Callable[..., Any], settings: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    older = [actions.publish(alice, world["open"], "budget budget budget ancien") for _ in range(3)]
    newer = [actions.publish(alice, world["open"], f"budget récent {i}") for i in range(3)]
    for _ in range(4):  # newer still, but out of bob's sight
        actions.publish(alice, world["secret"], "budget budget secret")
    index_now()
    settings.RUCHER_SEARCH_WINDOW = 0
    everything = find(bob, "budget")
    assert len(everything) == 6
    settings.RUCHER_SEARCH_WINDOW = 7  # the 4 secret ones and the 3 newer open ones
    for cap in (0, 1, 20):  # with the cap, and its fallback when the policy leaves too few
        settings.RUCHER_SEARCH_CANDIDATES = cap
        windowed = find(bob, "budget")
        assert len(windowed) == 3
        assert windowed == [item for item in everything if item in windowed]
    assert {item[1] for item in windowed} == {post.pk for post in newer}
    assert not {item[1] for item in windowed} & {post.pk for post in older}

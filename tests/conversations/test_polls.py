from __future__ import annotations

import math
from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.conversations.actions import create_poll, vote
from rucher.conversations.queries import nps_of, poll_results
from rucher.errors import Conflict, Invalid

pytestmark = pytest.mark.django_db


def test_nps_and_its_margin_match_the_formula() -> None:
    scores = [10] * 5 + [9] * 5 + [8] * 4 + [3] * 6  # 10 promoters, 6 detractors, n = 20
    result = nps_of(scores)
    assert (result.promoters, result.passives, result.detractors) == (10, 4, 6)
    assert result.nps == 20.0
    p, d = 0.5, 0.3
    assert result.margin == round(1.96 * math.sqrt((p + d - (p - d) ** 2) / 20) * 100, 1)
    assert nps_of([]).nps is None and not nps_of([10] * 3).enough


def test_nps_poll_records_scores_once(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    poll = create_poll(alice, world["open"], "Recommanderiez-vous rucher ?", kind="nps")
    vote(bob, poll, score=9)
    with pytest.raises(Conflict):
        vote(bob, poll, score=3)
    for bad in (11, -1, "9", None, True):
        with pytest.raises(Invalid):
            vote(alice, poll, score=bad)
    voted = Event.objects.get(verb="voted")
    assert (voted.value, voted.object_id) == (9.0, poll.pk)
    assert poll_results(poll.poll)["nps"].nps == 100.0


def test_choice_poll_needs_options_and_counts_votes(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    with pytest.raises(Invalid):
        create_poll(alice, world["open"], "Midi ?", ["Pizza"])
    poll = create_poll(alice, world["open"], "Midi ?", ["Pizza", "Salade"])
    salade = poll.poll.options.get(label="Salade")
    vote(bob, poll, option_id=salade.pk)
    with pytest.raises(Invalid):
        vote(alice, poll, option_id=999_999)
    results = poll_results(poll.poll)
    assert [(o["label"], o["votes"]) for o in results["options"]] == [("Pizza", 0), ("Salade", 1)]

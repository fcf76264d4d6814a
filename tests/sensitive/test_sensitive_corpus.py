"""The labelled corpus: the goal (precision and recall ≥ 0.95, overall and per detector) on
the held-out half, and the corpus itself as described (size, both languages, both halves,
check digits that are what they claim)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sensitive_corpus import rows, score
from stdnum import iban as stdnum_iban

from rucher.sensitive import Kind

GOAL = 0.95


def test_the_corpus_is_as_described() -> None:
    everything = rows()
    assert len(everything) >= 300
    assert Counter(r.language for r in everything).keys() == {"fr", "en"}
    halves = Counter(r.split for r in everything)
    assert halves.keys() == {"dev", "heldout", "heldout2"}
    assert min(halves["dev"], halves["heldout"]) >= 140
    for half in ("dev", "heldout"):
        covered = set().union(*(r.expected for r in rows(half)))
        assert covered == set(Kind), (half, set(Kind) - covered)
    negatives = [r for r in everything if not r.expected]
    assert len(negatives) >= 120


def test_templates_do_not_cross_halves() -> None:
    halves: dict[str, set[str]] = {}
    for row in rows():
        template = row.id.rsplit("-", 1)[0]
        halves.setdefault(template, set()).add(row.split)
    assert all(len(h) == 1 for h in halves.values())


def test_ibans_labelled_positive_are_valid_and_negative_ones_are_not() -> None:
    shape = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b")
    for row in rows():
        for candidate in shape.findall(row.sentence):
            valid = stdnum_iban.is_valid(candidate, check_country=False)
            if valid:
                assert Kind.IBAN in row.expected, row


@pytest.mark.parametrize("half", ["dev", "heldout", "heldout2"])
def test_precision_and_recall_reach_the_goal(half: str) -> None:
    result = score(half)
    detail = (
        result.table()
        + "\n"
        + "\n".join(
            f"{r.id}: {sorted(r.expected)} vs {sorted(found)}: {r.sentence!r}"
            for r, found in result.errors
        )
    )
    assert result.precision() >= GOAL, detail
    assert result.recall() >= GOAL, detail
    for kind in Kind:
        assert result.precision(kind) >= GOAL, (kind, detail)
        assert result.recall(kind) >= GOAL, (kind, detail)

"""The expert finder: BM25 against an independent implementation, metrics by hand, no leak."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from rucher.insights.contract import Dataset
from rucher.insights.experts import (
    BM25_B,
    BM25_K1,
    ExpertFinder,
    Question,
    _doc_tokens,
    evaluate_finder,
    tie_aware_metrics,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def make_dataset(
    extra_content: list[dict] | None = None, extra_events: list[dict] | None = None
) -> Dataset:
    """Three answerers: 1 knows about cats, 2 about compilers, 3 answers a lot about nothing."""
    content = [
        {
            "content_id": 100,
            "kind": "question",
            "author_id": 9,
            "created_at": _at(0),
            "root_id": 100,
            "text": "How do cats purr?\n\nbody",
            "topics": ["animals"],
        },
        {
            "content_id": 101,
            "kind": "answer",
            "author_id": 1,
            "created_at": _at(1),
            "root_id": 100,
            "parent_id": 100,
            "text": "Cats purr with the larynx muscles.",
            "topics": ["animals"],
            "accepted": True,
        },
        {
            "content_id": 200,
            "kind": "question",
            "author_id": 9,
            "created_at": _at(2),
            "root_id": 200,
            "text": "Which compiler flags?\n\nbody",
            "topics": ["code"],
        },
        {
            "content_id": 201,
            "kind": "answer",
            "author_id": 2,
            "created_at": _at(3),
            "root_id": 200,
            "parent_id": 200,
            "text": "Compiler optimisation flags -O2.",
            "topics": ["code"],
            "accepted": True,
        },
        {
            "content_id": 202,
            "kind": "answer",
            "author_id": 3,
            "created_at": _at(3),
            "root_id": 200,
            "parent_id": 200,
            "text": "Maybe try something else.",
            "topics": ["code"],
        },
        {
            "content_id": 203,
            "kind": "answer",
            "author_id": 3,
            "created_at": _at(4),
            "root_id": 100,
            "parent_id": 100,
            "text": "No idea really.",
            "topics": ["animals"],
        },
    ]
    events = [
        {
            "event_id": 1,
            "at": _at(1.5),
            "actor_id": 9,
            "verb": "accepted_answer",
            "object_id": 101,
            "target_id": 1,
        },
        {
            "event_id": 2,
            "at": _at(3.5),
            "actor_id": 9,
            "verb": "accepted_answer",
            "object_id": 201,
            "target_id": 2,
        },
        {
            "event_id": 3,
            "at": _at(3.6),
            "actor_id": -2,
            "verb": "reacted",
            "object_id": 201,
            "target_id": 2,
            "value": 1.0,
        },
    ]
    content += extra_content or []
    events += extra_events or []
    for row in content:
        row.setdefault("lang", "en")
    return Dataset(
        people=pl.DataFrame({"person_id": [-2, 1, 2, 3, 9, 4]}),
        content=pl.DataFrame(content, infer_schema_length=None),
        events=pl.DataFrame(events, infer_schema_length=None),
    )


def test_bm25_matches_an_independent_implementation() -> None:
    dataset = make_dataset()
    finder = ExpertFinder(dataset)
    question = Question(text="purring cats and compiler", at=_at(10), lang="en")
    got = dict(zip(finder.corpus.doc_ids.tolist(), finder.bm25(question).tolist(), strict=True))
    # Independent: plain Python over the same tokenised documents.
    docs = {}
    for row in dataset.content.filter(pl.col("kind") == "answer").iter_rows(named=True):
        title = dataset.content.filter(pl.col("content_id") == row["root_id"])["text"][0]
        docs[row["content_id"]] = _doc_tokens(
            title.split("\n")[0] + "\n" + row["text"], "en", row["topics"]
        )
    avg = sum(len(d) for d in docs.values()) / len(docs)
    query = set(_doc_tokens(question.text, "en", []))
    for doc_id, tokens in docs.items():
        counts = Counter(tokens)
        expected = 0.0
        for term in query:
            df = sum(term in d for d in docs.values())
            if df == 0:
                continue
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            tf = counts[term]
            expected += (
                idf
                * tf
                * (BM25_K1 + 1)
                / (tf + BM25_K1 * (1 - BM25_B + BM25_B * len(tokens) / avg))
            )
        assert got[doc_id] == pytest.approx(expected)
    # 203 matches only through its question's title and tag; 101 through its own words too.
    assert got[101] > got[203] > 0 and got[201] > 0


def test_tie_aware_metrics_by_hand() -> None:
    assert tie_aware_metrics(np.array([3.0, 1.0, 2.0]), 0, 1) == (1.0, 1.0, 1.0)
    assert tie_aware_metrics(np.array([3.0, 1.0, 2.0]), 1, 2) == (0.0, pytest.approx(1 / 3), 0.0)
    # Four-way tie: rank uniform in 1..4.
    p1, mrr, hit = tie_aware_metrics(np.zeros(4), 2, 2)
    assert p1 == 0.25 and mrr == pytest.approx((1 + 1 / 2 + 1 / 3 + 1 / 4) / 4) and hit == 0.5
    assert tie_aware_metrics(np.zeros(3), None, 10) == (0.0, 0.0, 0.0)


def test_rank_explains_score_by_component() -> None:
    finder = ExpertFinder(make_dataset())
    result = finder.rank(Question(text="cats purr", at=_at(10), lang="en", asker_id=9))
    ranked = result.value
    assert ranked[0]["person_id"] == 1  # topical match + accepted answer on cats
    assert 9 not in [r["person_id"] for r in ranked]  # the asker
    assert -2 not in [r["person_id"] for r in ranked]  # system accounts
    for row in ranked:
        assert row["score"] == pytest.approx(sum(row["components"].values()), abs=1e-5)
    assert ranked[0]["evidence"]["accepted_answers"] == [101]
    assert ranked[0]["evidence"]["matching_content"] == [101]
    compilers = finder.rank(Question(text="compiler flags", at=_at(10), lang="en")).value
    assert compilers[0]["person_id"] == 2


def test_no_candidates_is_not_enough_data() -> None:
    finder = ExpertFinder(make_dataset())
    result = finder.rank(Question(text="cats", at=_at(-5)))
    assert result.status == "not_enough_data" and result.value is None
    empty = ExpertFinder(Dataset())
    assert empty.rank(Question(text="cats", at=_at(1))).status == "not_enough_data"


def test_no_future_leak() -> None:
    """A later answer by person 3 about cats, accepted and up-voted, must not change a ranking
    made before it; made after it, it does change it (so the test can fail)."""
    future_content = [
        {
            "content_id": 301,
            "kind": "answer",
            "author_id": 3,
            "created_at": _at(20),
            "root_id": 100,
            "parent_id": 100,
            "text": "Cats purr: larynx, cats, purring cats.",
            "topics": ["animals"],
            "accepted": True,
        },
    ]
    future_events = [
        {
            "event_id": 10 + i,
            "at": _at(20.5),
            "actor_id": -2,
            "verb": "reacted",
            "object_id": 301,
            "target_id": 3,
            "value": 1.0,
        }
        for i in range(20)
    ] + [
        {
            "event_id": 40,
            "at": _at(21),
            "actor_id": 9,
            "verb": "accepted_answer",
            "object_id": 301,
            "target_id": 3,
        }
    ]
    past = ExpertFinder(make_dataset())
    with_future = ExpertFinder(make_dataset(future_content, future_events))
    question = Question(text="why do cats purr", at=_at(10), lang="en", asker_id=9)
    before = past.rank(question, k=5).value
    leaked = with_future.rank(question, k=5).value
    assert before == leaked
    assert leaked[0]["person_id"] == 1
    later = with_future.rank(Question(text="why do cats purr", at=_at(30), lang="en"), k=5).value
    assert later[0]["person_id"] == 3


def test_evaluation_on_synthetic_history() -> None:
    dataset = make_dataset(
        extra_content=[
            {
                "content_id": 400,
                "kind": "question",
                "author_id": 9,
                "created_at": _at(30),
                "root_id": 400,
                "text": "Do cats purr when happy?",
                "topics": ["animals"],
            },
            {
                "content_id": 401,
                "kind": "answer",
                "author_id": 1,
                "created_at": _at(31),
                "root_id": 400,
                "parent_id": 400,
                "text": "Yes cats purr.",
                "accepted": True,
                "topics": ["animals"],
            },
            {
                "content_id": 402,
                "kind": "answer",
                "author_id": 3,
                "created_at": _at(31),
                "root_id": 400,
                "parent_id": 400,
                "text": "Sometimes.",
                "topics": ["animals"],
            },
        ]
    )
    report = evaluate_finder(dataset, k=1)
    assert report["n_questions"] == 3
    answerers = report["answerers"]
    assert answerers["n_questions"] == 3  # each question has two answerers
    assert answerers["baselines"]["random"]["p_at_1"] == pytest.approx(0.5)
    # Questions 100 and 200: neither answerer has any history before them -> a tie (1/2);
    # question 400: person 1 (accepted answer on cats, topical) is ranked over person 3.
    assert answerers["method"]["p_at_1"] == pytest.approx((0.5 + 0.5 + 1) / 3, abs=1e-4)
    assert answerers["baselines"]["prior_answers"]["p_at_1"] == pytest.approx(
        (0.5 + 0.5 + 0) / 3, abs=1e-4
    )

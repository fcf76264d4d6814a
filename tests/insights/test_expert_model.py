"""The learned expert finder: it learns, it falls back when young, and it never sees the
future (a question asked or accepted after the cut-off never reaches training)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl
import pytest

from rucher.insights import expert_model
from rucher.insights.contract import Dataset
from rucher.insights.expert_model import (
    FEATURES,
    ExpertFeatures,
    RankingModel,
    evaluate_learned,
    rank_experts,
    train,
    training_questions,
)
from rucher.insights.experts import ExpertFinder, Question

T0 = datetime(2024, 1, 1, tzinfo=UTC)
SUBJECTS = ["cats", "compilers", "gardening", "taxes", "violins"]


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def synthetic(n_questions: int = 60, flip_after: int | None = None) -> Dataset:
    """Person 10 + s knows subject s: each question on s is answered first by a busy
    generalist (1), who writes more but off-subject, then by the subject's expert, who is
    accepted (the asker 99 accepts an hour later). From ``flip_after`` on, the generalist is
    accepted instead (a different world, later in time)."""
    content: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    next_id = iter(range(1, 100_000))
    for q in range(n_questions):
        subject = q % len(SUBJECTS)
        word = SUBJECTS[subject]
        asked = _at(q * 24)
        question_id = next(next_id)
        content.append(
            {
                "content_id": question_id,
                "kind": "question",
                "author_id": 99,
                "created_at": asked,
                "root_id": question_id,
                "text": f"A question about {word}\n\nhow do {word} work",
            }
        )
        flipped = flip_after is not None and q >= flip_after
        for person, text, delay in (
            (1, "general advice on many things, read the manual", 1),
            (10 + subject, f"{word} work like this: {word} {word}", 2),
        ):
            answer_id = next(next_id)
            accepted = (person == 1) == flipped
            content.append(
                {
                    "content_id": answer_id,
                    "kind": "answer",
                    "author_id": person,
                    "created_at": asked + timedelta(hours=delay),
                    "root_id": question_id,
                    "parent_id": question_id,
                    "text": text,
                    "accepted": accepted,
                }
            )
            if accepted:
                events.append(
                    {
                        "event_id": answer_id,
                        "at": asked + timedelta(hours=3),
                        "actor_id": 99,
                        "verb": "accepted_answer",
                        "object_type": "answer",
                        "object_id": answer_id,
                        "target_id": person,
                    }
                )
    people = [1, 99] + [10 + s for s in range(len(SUBJECTS))]
    return Dataset(
        people=pl.DataFrame({"person_id": people}),
        content=pl.DataFrame(content, infer_schema_length=None),
        events=pl.DataFrame(events, infer_schema_length=None),
    )


def test_it_learns_who_is_accepted_and_ranks_by_it() -> None:
    dataset = synthetic()
    model = train(dataset, _at(60 * 24), min_questions=10)
    assert model.learned and model.n_questions >= 50
    # Being accepted before and writing on the subject are what set the experts apart.
    assert model.weights["accepted"] > 0 or model.weights["accepted_near"] > 0
    finder = ExpertFinder(dataset)
    question = Question("how do violins work", _at(61 * 24), asker_id=99)
    ranked = rank_experts(ExpertFeatures(finder), model, question, [1, 10, 14], k=3).value
    assert ranked is not None and ranked[0]["person_id"] == 14
    assert set(ranked[0]["components"]) <= set(FEATURES)


def test_a_young_network_falls_back_to_fixed_weights() -> None:
    model = train(synthetic(), _at(8 * 24))  # 7 answered questions before the cut-off
    assert not model.learned
    assert model.weights == expert_model.FALLBACK_WEIGHTS
    assert "fixed weights" in model.describe()


def test_training_never_sees_a_question_after_the_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every question whose features training computes was asked, and its answer accepted,
    strictly before the cut-off. Fails if training looks at a later question."""
    dataset = synthetic(60)
    cutoff = _at(30 * 24 + 2)  # question 30 is asked before it, accepted after it
    seen: list[datetime] = []
    original = ExpertFeatures.matrix

    def spy(self: ExpertFeatures, question: Question, *args: Any, **kwargs: Any) -> np.ndarray:
        seen.append(question.at)
        return original(self, question, *args, **kwargs)

    monkeypatch.setattr(ExpertFeatures, "matrix", spy)
    model = train(dataset, cutoff, min_questions=10)
    assert seen and max(seen) < _at(30 * 24)  # question 30 (accepted at +3 h) is out
    # 30 labelled questions; on the first of each subject its expert had done nothing yet.
    assert model.n_questions == 30 - len(SUBJECTS)
    labels = training_questions(dataset, cutoff)
    assert labels.height == 30


def test_what_happens_after_the_cut_off_changes_nothing() -> None:
    """A future where the generalist is always accepted leaves the model trained before
    it unchanged (and it does change a model trained after it)."""
    cutoff = _at(40 * 24)
    plain = train(synthetic(80), cutoff, min_questions=10)
    flipped = train(synthetic(80, flip_after=40), cutoff, min_questions=10)
    assert plain.weights == flipped.weights
    later = train(synthetic(80, flip_after=40), _at(80 * 24), min_questions=10)
    assert later.weights != plain.weights


def test_the_model_round_trips_through_json() -> None:
    model = train(synthetic(), _at(60 * 24), min_questions=10)
    again = RankingModel.from_dict(model.to_dict())
    assert again.learned and again.n_questions == model.n_questions
    assert again.weights == pytest.approx(model.weights, abs=1e-7)
    assert not RankingModel.from_dict({"format": 0}).learned  # an old format: fallback


def test_evaluation_scores_only_with_models_of_the_past() -> None:
    report = evaluate_learned(synthetic(60), k=3, min_questions=10, test_from=0.5)
    assert report["answerers"]["n_questions"] == 30
    assert report["questions_ranked_by_learned_model"] == 30
    assert report["answerers"]["method"]["p_at_1"] == 1.0
    # The generalist answers most: "most prior answers" picks him, and is wrong.
    assert report["answerers"]["baselines"]["prior_answers"]["p_at_1"] < 0.5

"""NPS: exact value and margin by hand, poll answers, calibration, estimate, AUC."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from rucher.insights.contract import Dataset
from rucher.insights.nps import (
    DEFAULT_THRESHOLDS,
    MIN_CALIBRATION,
    MIN_NPS_RESPONSES,
    calibrate_thresholds,
    classify_nps,
    estimate_nps_for_people,
    estimate_nps_from_text,
    nps,
    nps_indicator,
    poll_answers,
    poll_nps,
    promoter_detractor_auc,
)
from rucher.insights.report import full_report
from rucher.insights.report_nps import nps_section


def test_nps_and_margin_by_hand() -> None:
    # 4 promoters (10, 9, 10, 9), 2 passives (8, 7), 4 detractors (6, 0, 3, 5): NPS 0.
    result = nps([10, 9, 8, 7, 6, 0, 10, 9, 3, 5])
    assert result.ok and result.value == pytest.approx(0.0)
    # Var = (0.4 + 0.4 − 0²) / 10 = 0.08.
    assert result.parameters["margin_95"] == pytest.approx(100 * 1.959964 * math.sqrt(0.08))
    # 6 promoters, 3 passives, 1 detractor: NPS 50, Var = (0.7 − 0.25) / 10 = 0.045.
    result = nps([9, 9, 10, 10, 9, 10, 8, 7, 8, 2])
    assert result.value == pytest.approx(50.0)
    assert result.parameters["margin_95"] == pytest.approx(100 * 1.959964 * math.sqrt(0.045))
    assert result.parameters["interval_95"][1] <= 100.0


def test_nps_matches_pandas_and_simulated_variance() -> None:
    rng = np.random.default_rng(3)
    probabilities = np.array([0.02] * 7 + [0.1, 0.16, 0.3, 0.3])
    probabilities /= probabilities.sum()
    scores = rng.choice(11, size=400, p=probabilities)
    frame = pd.Series(scores)
    expected = 100 * ((frame >= 9).mean() - (frame <= 6).mean())
    result = nps(scores)
    assert result.value == pytest.approx(expected)
    # The formula's standard error matches the spread of NPS over simulated samples.
    sims = rng.choice(11, size=(4000, 400), p=probabilities)
    simulated = 100 * ((sims >= 9).mean(axis=1) - (sims <= 6).mean(axis=1))
    p_plus, p_minus = probabilities[9:].sum(), probabilities[:7].sum()
    formula_se = 100 * math.sqrt((p_plus + p_minus - (p_plus - p_minus) ** 2) / 400)
    assert simulated.std() == pytest.approx(formula_se, rel=0.05)


def test_nps_needs_enough_valid_answers() -> None:
    small = nps([10] * (MIN_NPS_RESPONSES - 1) + [11, -1, float("nan")])
    assert not small.ok and small.value is None and small.denominator == MIN_NPS_RESPONSES - 1
    assert not nps([]).ok


def _events(rows: list[tuple[int, int, int, float | None, str]]) -> pl.DataFrame:
    start = datetime(2025, 3, 1, tzinfo=UTC)
    return pl.DataFrame(
        {
            "event_id": list(range(len(rows))),
            "at": [start + timedelta(minutes=r[0]) for r in rows],
            "actor_id": [r[1] for r in rows],
            "verb": [r[4] for r in rows],
            "object_type": ["poll"] * len(rows),
            "object_id": [r[2] for r in rows],
            "value": [r[3] for r in rows],
        }
    )


def test_poll_answers_keep_each_persons_last_valid_vote() -> None:
    events = _events(
        [
            (0, 1, 7, 3.0, "voted"),
            (5, 1, 7, 9.0, "voted"),  # changed their mind: 9 counts
            (1, 2, 7, 10.0, "voted"),
            (2, 3, 8, 0.0, "voted"),  # another poll
            (3, 4, 7, 42.0, "voted"),  # not an NPS answer
            (4, 5, 7, 6.0, "viewed"),
        ]
    )
    answers = poll_answers(events, 7)
    assert answers.to_dicts() == [{"person_id": 1, "score": 9.0}, {"person_id": 2, "score": 10.0}]
    assert not poll_nps(events, 7).ok  # two answers


def test_calibrated_thresholds_reproduce_the_sample_shares() -> None:
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 11, size=200).astype(float)
    sentiment = scores / 10 + rng.normal(0, 0.01, size=200)  # monotone in the score
    thresholds = calibrate_thresholds(sentiment, scores)
    assert thresholds.calibrated and thresholds.calibration_n == 200
    np.testing.assert_array_equal(classify_nps(sentiment, thresholds), nps_indicator(scores))
    assert calibrate_thresholds(sentiment[: MIN_CALIBRATION - 1], scores[:19]) == (
        DEFAULT_THRESHOLDS
    )


def test_regression_estimate_is_exact_when_sentiment_is_the_indicator() -> None:
    rng = np.random.default_rng(1)
    calibration = rng.integers(0, 11, size=60).astype(float)
    held_out = rng.choice([10.0, 9.0, 3.0], size=300, p=[0.5, 0.3, 0.2])
    truth = nps(held_out).value
    result = estimate_nps_from_text(
        nps_indicator(held_out), nps_indicator(calibration), calibration, repeats=200
    )
    assert result.ok and result.parameters["calibrated"]
    assert result.value == pytest.approx(truth)
    low, high = result.parameters["interval_95"]
    assert low <= result.value <= high


def test_uncalibrated_estimate_uses_default_thresholds() -> None:
    sentiment = np.array([-0.9, -0.1, 0.0, 0.2, 0.49, 0.5, 0.7, 0.9, 0.95, 1.0])
    result = estimate_nps_from_text(sentiment)
    # detractors: <= 0.0 -> 3; promoters: >= 0.5 -> 5; NPS = 100 × (5 − 3) / 10.
    assert result.value == pytest.approx(20.0)
    assert not result.parameters["calibrated"] and "not calibrated" in result.note
    assert not estimate_nps_from_text(sentiment[:5]).ok
    assert not estimate_nps_from_text(np.array([np.nan] * 12)).ok


def test_auc_matches_sklearn_and_handles_missing_groups() -> None:
    rng = np.random.default_rng(2)
    scores = rng.integers(0, 11, size=300).astype(float)
    sentiment = np.round(scores / 10 + rng.normal(0, 0.3, size=300), 1)  # with ties
    mask = (scores >= 9) | (scores <= 6)
    expected = roc_auc_score(scores[mask] >= 9, sentiment[mask])
    assert promoter_detractor_auc(sentiment, scores) == pytest.approx(expected)
    assert promoter_detractor_auc(np.array([0.1, 0.2]), np.array([9.0, 10.0])) is None


def test_estimate_for_people_calibrates_on_poll_respondents_who_wrote() -> None:
    rng = np.random.default_rng(4)
    people = 60
    poll_scores = rng.integers(0, 11, size=people).astype(float)
    scored = pl.DataFrame(
        {
            "author_id": np.repeat(np.arange(people), 2),
            "sentiment": np.repeat(nps_indicator(poll_scores), 2) * 0.8,
        }
    )
    events = _events([(i, i, 99, poll_scores[i], "voted") for i in range(people)])
    Dataset(events=events)  # the frame follows the contract
    result = estimate_nps_for_people(scored, events, poll_id=99)
    assert result.ok and result.parameters["calibration_n"] == people
    assert result.value == pytest.approx(nps(poll_scores).value)
    uncalibrated = estimate_nps_for_people(scored, events, poll_id=None)
    assert not uncalibrated.parameters["calibrated"]


# --- the NPS section: which polls are NPS polls ---------------------------------------------


def _poll_world(choice_answers: int = 40) -> Dataset:
    """Three polls: a 0–10 "recommend" poll (30 answers, NPS +40), a choice poll whose 40
    answers are option positions 0–3 (they look like 0–10 scores), and a second NPS poll
    with only 4 answers. A fourth poll of an imported dataset says nothing of its kind."""
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    content = pl.DataFrame(
        {
            "content_id": [1, 2, 3],
            "kind": ["poll", "poll", "poll"],
            "author_id": [100, 100, 100],
            "created_at": [t0, t0, t0],
            "text": [
                "How likely are you to recommend the intranet to a colleague?",
                "Which day suits the team lunch?",
                "Would you recommend the canteen?",
            ],
            "poll_kind": ["nps", "choice", "nps"],
        }
    )
    rows: list[dict[str, object]] = []

    def vote(poll: int, person: int, value: float) -> None:
        rows.append(
            {
                "event_id": len(rows) + 1,
                "at": t0 + timedelta(hours=len(rows) + 1),
                "actor_id": person,
                "verb": "voted",
                "object_type": "poll",
                "object_id": poll,
                "value": value,
            }
        )

    # Poll 1: 15 promoters, 9 passives, 6 detractors of 30 -> NPS 100 × (15 − 6) / 30 = 30.
    for i, score in enumerate([10] * 15 + [8] * 9 + [3] * 6):
        vote(1, i + 1, float(score))
    for i in range(choice_answers):
        vote(2, i + 1, float(i % 4))  # options 0..3: every one a "detractor" if read as NPS
    for i in range(4):
        vote(3, i + 1, 10.0)
    return Dataset(content=content, events=pl.DataFrame(rows))


def test_a_choice_poll_never_enters_the_nps() -> None:
    section = nps_section(_poll_world())
    assert set(section["polls"]) == {"1", "3"}  # the choice poll is not an NPS poll
    first = section["polls"]["1"]
    assert first["value"] == pytest.approx(30.0)
    assert first["parameters"]["question"].startswith("How likely are you to recommend")
    assert first["parameters"]["kind_inferred"] is False
    # Below the minimum the poll says so instead of a figure.
    small = section["polls"]["3"]
    assert small["status"] == "not_enough_data" and small["value"] is None
    assert small["denominator"] == 4
    # Everyone's latest NPS answer: persons 1–4 answered poll 3 last (10), the others poll 1.
    overall = section["overall"]
    assert overall["denominator"] == 30
    expected = nps([10] * 4 + [10] * 11 + [8] * 9 + [3] * 6).value
    assert overall["value"] == pytest.approx(expected)
    assert overall["value"] > 0  # the choice poll's "zeros" would have made it negative
    assert section["choice_polls_left_out"] == 1


def test_without_kinds_a_poll_of_whole_0_10_answers_is_inferred() -> None:
    """An imported dataset that does not say a poll's kind: the 0–10 rule, reported as an
    inference; a content table describing the polls (the cockpit's uncut one) wins."""
    world = _poll_world()
    unknown = Dataset(events=world.events)
    section = nps_section(unknown)
    assert set(section["polls"]) == {"1", "2", "3"}
    assert section["polls"]["1"]["parameters"]["kind_inferred"] is True
    # The people-only cut of a department drops the polls' rows: the caller passes them.
    section = nps_section(unknown, polls=world.content)
    assert set(section["polls"]) == {"1", "3"}


def test_the_report_keeps_choice_polls_out() -> None:
    report = full_report(_poll_world(), sections=("nps",))
    assert set(report["sections"]["nps"]["polls"]) == {"1", "3"}

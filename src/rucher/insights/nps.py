"""Net Promoter Score: exact from 0–10 answers, and estimated from what people write.

Exact NPS (Reichheld 2003) = 100 × (share of promoters, 9–10 − share of detractors, 0–6),
with a 95 % margin from the multinomial variance of a difference of two proportions of the
same sample: Var(p̂+ − p̂−) = (p+ + p− − (p+ − p−)²) / n.

Estimated NPS from text: each person's sentiment score in [-1, 1] is mapped to promoter /
passive / detractor by two thresholds. When a polled sample exists (people who answered an
NPS poll AND wrote text) the thresholds are calibrated on it by quantile matching: the
detractor threshold is the sentiment quantile at the sample's detractor share, the promoter
threshold the quantile at one minus its promoter share; the NPS itself is then the
regression estimator of survey sampling (Cochran 1977, ch. 7). Otherwise documented default
thresholds apply. The interval is a percentile bootstrap that resamples both the texts and
the calibration sample (so the calibration's own uncertainty is in it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from rucher.insights.results import Result, not_enough_data

# Below this many answers an NPS swings by 10 points per person: not shown.
MIN_NPS_RESPONSES = 10
# Fewer calibration pairs than this give unstable quantiles: defaults are used instead.
MIN_CALIBRATION = 20
Z_95 = 1.959963984540054
BOOTSTRAP_REPEATS = 1000

PROMOTER_MIN_SCORE = 9
DETRACTOR_MAX_SCORE = 6


@dataclass(frozen=True)
class Thresholds:
    """Sentiment cut-offs: score <= detractor_max is a detractor, >= promoter_min a promoter."""

    detractor_max: float
    promoter_min: float
    calibrated: bool
    calibration_n: int = 0

    def describe(self) -> str:
        how = (
            f"calibrated on {self.calibration_n} polled people"
            if self.calibrated
            else ("uncalibrated defaults")
        )
        return (
            f"detractor if sentiment <= {self.detractor_max:.3f}, promoter if >= "
            f"{self.promoter_min:.3f} ({how})"
        )


# Defaults without a poll: a negative text is a detractor, a clearly positive one (above
# half the scale) a promoter; in between, passive. Not calibrated: shown as such.
DEFAULT_THRESHOLDS = Thresholds(detractor_max=0.0, promoter_min=0.5, calibrated=False)

NPS_METHOD = (
    "NPS = 100 × (share of 9–10 answers − share of 0–6 answers); 95 % margin = "
    "1.96 × 100 × sqrt((p+ + p− − (p+ − p−)²) / n)"
)


def nps_components(scores: np.ndarray) -> tuple[float, float, int]:
    """(promoter share, detractor share, n) of 0–10 scores."""
    n = len(scores)
    if not n:
        return 0.0, 0.0, 0
    promoters = float(np.count_nonzero(scores >= PROMOTER_MIN_SCORE)) / n
    detractors = float(np.count_nonzero(scores <= DETRACTOR_MAX_SCORE)) / n
    return promoters, detractors, n


def nps_margin(promoters: float, detractors: float, n: int) -> float:
    """Half-width in NPS points of the 95 % Wald interval (0 when n is 0)."""
    if n <= 0:
        return 0.0
    variance = max(promoters + detractors - (promoters - detractors) ** 2, 0.0) / n
    return 100.0 * Z_95 * math.sqrt(variance)


def valid_scores(scores: np.ndarray | list[float] | pl.Series) -> np.ndarray:
    """Finite scores within 0–10, rounded to whole points (others are not NPS answers)."""
    values = np.asarray(scores, dtype=np.float64)
    values = values[np.isfinite(values)]
    return np.rint(values[(values >= 0) & (values <= 10)])


def nps(scores: np.ndarray | list[float] | pl.Series, name: str = "nps") -> Result:
    """Exact NPS of 0–10 answers, in points (−100 … +100), with its 95 % margin."""
    values = valid_scores(scores)
    if len(values) < MIN_NPS_RESPONSES:
        return not_enough_data(name, NPS_METHOD, len(values), MIN_NPS_RESPONSES)
    promoters, detractors, n = nps_components(values)
    margin = nps_margin(promoters, detractors, n)
    value = 100.0 * (promoters - detractors)
    return Result(
        name=name,
        value=value,
        method=NPS_METHOD,
        parameters={
            "promoters": promoters,
            "passives": 1.0 - promoters - detractors,
            "detractors": detractors,
            "margin_95": margin,
            "interval_95": [max(-100.0, value - margin), min(100.0, value + margin)],
            "promoter_min_score": PROMOTER_MIN_SCORE,
            "detractor_max_score": DETRACTOR_MAX_SCORE,
        },
        denominator=n,
    )


def poll_answers(events: pl.DataFrame, poll_id: int) -> pl.DataFrame:
    """person_id, score: each person's LAST valid 0–10 vote on ``poll_id``."""
    return (
        events.filter(
            (pl.col("verb") == "voted")
            & (pl.col("object_type") == "poll")
            & (pl.col("object_id") == poll_id)
            & pl.col("value").is_not_null()
            & pl.col("value").is_between(0, 10)
        )
        .sort("at")
        .group_by("actor_id")
        .agg(pl.col("value").last().round(0).alias("score"))
        .rename({"actor_id": "person_id"})
        .sort("person_id")
    )


def poll_nps(events: pl.DataFrame, poll_id: int) -> Result:
    answers = poll_answers(events, poll_id)
    result = nps(answers.get_column("score"), name=f"nps_poll_{poll_id}")
    if result.ok:
        result.evidence = {"poll_id": poll_id, "person_ids": answers["person_id"].to_list()}
    return result


def calibrate_thresholds(sentiment: np.ndarray, scores: np.ndarray) -> Thresholds:
    """Quantile matching on people with both a sentiment and a 0–10 answer.

    The shares of detractors and promoters among them fix which sentiment quantiles become
    the thresholds, so that classifying that same sample by sentiment reproduces its shares.
    Falls back to the defaults below MIN_CALIBRATION pairs.
    """
    sentiment = np.asarray(sentiment, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    if len(sentiment) < MIN_CALIBRATION or len(sentiment) != len(scores):
        return DEFAULT_THRESHOLDS
    detractor_max, promoter_min = _quantile_thresholds(sentiment[None, :], scores[None, :])
    return Thresholds(
        detractor_max=float(detractor_max[0]),
        promoter_min=float(promoter_min[0]),
        calibrated=True,
        calibration_n=len(sentiment),
    )


def _quantile_thresholds(
    sentiment: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise quantile matching for a (repeats, n) batch: vectorised for the bootstrap."""
    detractor_count = (scores <= DETRACTOR_MAX_SCORE).sum(axis=1)
    promoter_count = (scores >= PROMOTER_MIN_SCORE).sum(axis=1)
    ordered = np.sort(sentiment, axis=1)
    n = ordered.shape[1]
    rows = np.arange(ordered.shape[0])
    # The detractor cut sits at the last detractor's rank; -inf when there are none.
    detractor_rank = detractor_count - 1
    detractor_max = np.where(
        detractor_rank >= 0, ordered[rows, np.clip(detractor_rank, 0, n - 1)], -np.inf
    )
    promoter_rank = n - promoter_count
    promoter_min = np.where(
        promoter_rank < n, ordered[rows, np.clip(promoter_rank, 0, n - 1)], np.inf
    )
    return detractor_max, promoter_min


def classify_nps(sentiment: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    """−1 detractor, 0 passive, +1 promoter per sentiment score."""
    return np.where(
        sentiment <= thresholds.detractor_max,
        -1,
        np.where(sentiment >= thresholds.promoter_min, 1, 0),
    ).astype(np.int64)


def text_nps_value(sentiment: np.ndarray, thresholds: Thresholds) -> float:
    classes = classify_nps(sentiment, thresholds)
    return 100.0 * float(np.mean(classes == 1) - np.mean(classes == -1)) if len(classes) else 0.0


def nps_indicator(scores: np.ndarray) -> np.ndarray:
    """+1 promoter, 0 passive, −1 detractor per 0–10 score: the NPS is 100 × its mean."""
    return np.where(
        scores >= PROMOTER_MIN_SCORE, 1.0, np.where(scores <= DETRACTOR_MAX_SCORE, -1.0, 0.0)
    )


def _regression_estimates(
    sentiment: np.ndarray, cal_sentiment: np.ndarray, cal_indicator: np.ndarray
) -> np.ndarray:
    """Row-wise regression estimator of survey sampling, for (repeats, ·) batches.

    NPS = 100 × (ȳ_cal + b (s̄ − s̄_cal)), b the least-squares slope of the indicator on
    sentiment in the calibration sample: the calibration NPS, corrected by how much more
    positive or negative the texts of everyone are than those of the calibrated people.
    """
    cal_mean = cal_sentiment.mean(axis=1)
    centred = cal_sentiment - cal_mean[:, None]
    variance = (centred**2).mean(axis=1)
    covariance = (centred * (cal_indicator - cal_indicator.mean(axis=1)[:, None])).mean(axis=1)
    slope = np.divide(covariance, variance, out=np.zeros_like(covariance), where=variance > 0)
    value = cal_indicator.mean(axis=1) + slope * (sentiment.mean(axis=1) - cal_mean)
    return 100.0 * np.clip(value, -1.0, 1.0)


def estimate_nps_from_text(
    sentiment: np.ndarray,
    calibration_sentiment: np.ndarray | None = None,
    calibration_scores: np.ndarray | None = None,
    repeats: int = BOOTSTRAP_REPEATS,
    seed: int = 0,
    name: str = "estimated_nps",
) -> Result:
    """NPS estimated from one sentiment score per person, with a 95 % bootstrap interval.

    With a calibration sample (>= MIN_CALIBRATION people with text and a 0–10 answer) the
    value is the regression estimator (see ``_regression_estimates``) and the thresholds
    are quantile-matched; without one, the NPS of the classes given by DEFAULT_THRESHOLDS.
    The per-person classes always come from the thresholds.
    """
    sentiment = np.asarray(sentiment, dtype=np.float64)
    sentiment = sentiment[np.isfinite(sentiment)]
    method = (
        "with a polled sample: regression estimator 100 × (ȳ_poll + b (s̄ − s̄_poll)); "
        "without: NPS of promoter/passive/detractor classes from sentiment thresholds; "
        "95 % percentile bootstrap over people and over the polled sample"
    )
    if len(sentiment) < MIN_NPS_RESPONSES:
        return not_enough_data(name, method, len(sentiment), MIN_NPS_RESPONSES)
    calibrated = (
        calibration_sentiment is not None
        and calibration_scores is not None
        and len(calibration_sentiment) >= MIN_CALIBRATION
        and len(calibration_sentiment) == len(calibration_scores)
    )
    rng = np.random.default_rng(seed)
    n = len(sentiment)
    draws = sentiment[rng.integers(0, n, size=(repeats, n))]
    if calibrated:
        assert calibration_sentiment is not None and calibration_scores is not None
        cal_s = np.asarray(calibration_sentiment, dtype=np.float64)
        cal_y = np.asarray(calibration_scores, dtype=np.float64)
        thresholds = calibrate_thresholds(cal_s, cal_y)
        value = float(
            _regression_estimates(
                sentiment[None, :], cal_s[None, :], nps_indicator(cal_y)[None, :]
            )[0]
        )
        picks = rng.integers(0, len(cal_s), size=(repeats, len(cal_s)))
        boot = _regression_estimates(draws, cal_s[picks], nps_indicator(cal_y[picks]))
    else:
        thresholds = DEFAULT_THRESHOLDS
        value = text_nps_value(sentiment, thresholds)
        promoters = (draws >= thresholds.promoter_min).mean(axis=1)
        detractors = (draws <= thresholds.detractor_max).mean(axis=1)
        boot = 100.0 * (promoters - detractors)
    interval = [float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))]
    classes = classify_nps(sentiment, thresholds)
    return Result(
        name=name,
        value=value,
        method=method,
        parameters={
            "interval_95": interval,
            "thresholds": thresholds.describe(),
            "detractor_max": thresholds.detractor_max,
            "promoter_min": thresholds.promoter_min,
            "calibrated": thresholds.calibrated,
            "calibration_n": thresholds.calibration_n,
            "bootstrap_repeats": repeats,
            "threshold_nps": text_nps_value(sentiment, thresholds),
            "promoters": float(np.mean(classes == 1)),
            "detractors": float(np.mean(classes == -1)),
        },
        denominator=n,
        note="" if thresholds.calibrated else "thresholds not calibrated on a poll",
    )


def promoter_detractor_auc(sentiment: np.ndarray, scores: np.ndarray) -> float | None:
    """Probability that a random promoter's sentiment exceeds a random detractor's (ties ½).

    None when either group is empty. Passives are left out, as in the NPS itself.
    """
    sentiment = np.asarray(sentiment, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    promoters = sentiment[scores >= PROMOTER_MIN_SCORE]
    detractors = sentiment[scores <= DETRACTOR_MAX_SCORE]
    if not len(promoters) or not len(detractors):
        return None
    from scipy.stats import rankdata

    ranks = rankdata(np.concatenate([promoters, detractors]))
    rank_sum = float(ranks[: len(promoters)].sum())
    u = rank_sum - len(promoters) * (len(promoters) + 1) / 2.0
    return u / (len(promoters) * len(detractors))


def person_sentiment(scored_content: pl.DataFrame) -> pl.DataFrame:
    """author_id -> mean sentiment and number of texts (from ``content_sentiment``)."""
    return (
        scored_content.group_by("author_id")
        .agg(pl.col("sentiment").mean().alias("sentiment"), pl.len().alias("texts"))
        .rename({"author_id": "person_id"})
        .sort("person_id")
    )


def estimate_nps_for_people(
    scored_content: pl.DataFrame,
    events: pl.DataFrame,
    poll_id: int | None = None,
    seed: int = 0,
) -> Result:
    """Estimated NPS of everyone who wrote, calibrated on a poll's respondents who also wrote.

    ``scored_content`` comes from ``sentiment.content_sentiment``; the poll is the content
    row of kind "poll" whose answers are "voted" events with a 0–10 value.
    """
    people = person_sentiment(scored_content)
    calibration_sentiment = calibration_scores = None
    if poll_id is not None:
        pairs = people.join(poll_answers(events, poll_id), on="person_id", how="inner")
        calibration_sentiment = pairs.get_column("sentiment").to_numpy()
        calibration_scores = pairs.get_column("score").to_numpy()
    result = estimate_nps_from_text(
        people.get_column("sentiment").to_numpy(),
        calibration_sentiment,
        calibration_scores,
        seed=seed,
    )
    if result.ok:
        result.evidence = {"poll_id": poll_id, "person_ids": people["person_id"].to_list()}
    return result

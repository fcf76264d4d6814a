"""The learned expert finder: a ranking model trained, time-respecting, on the organisation's
own earlier questions and the answers their askers accepted.

For a question asked at ``t`` every candidate gets the features below, each computed from
content created and events stamped strictly before ``t`` (``ExpertFinder`` holds the data):

- ``topical``: BM25 of the question against the person's past answers, posts and comments
  (summed, kind-weighted), ``bm25_answers`` the same over answers only, ``bm25_best`` their
  single best-matching contribution;
- ``accepted``: their accepted answers; ``accepted_near``: the same, each weighted by the
  BM25 of that answer against the question (accepted answers on nearby subjects);
- ``valued``: net votes/reactions received; ``prior_answers``: answers written;
- ``recent``: contributions in the 90 days before ``t``; ``fresh``: 1 / (1 + days since
  their last contribution / 30); ``quick``: 1 / (1 + median hours between a question and
  their answer to it / 24) (someone who answers the same day answers again);
- ``meaning`` (optional, when an ``embed`` function is given): cosine of the question's
  sentence vector with their best-matching past answer or post.

Counts are damped with ``log1p``; every feature is divided by its maximum over the people
active before ``t`` (so in [0, 1], and a candidate's score does not depend on who else is
in the list). The score is a weighted sum. The weights come from a pairwise logistic
regression (RankNet's linear case): for each training question, the accepted answerer
against each other answerer and against sampled members active before it, difference of
feature vectors, no intercept. A question trains the model only if it was asked AND its
answer accepted before the cut-off, so no test question and nothing after the cut-off is
seen. With fewer than ``MIN_TRAINING_QUESTIONS`` such questions (a young network) the
model falls back to fixed, hand-chosen weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl

from rucher.insights.contract import Dataset
from rucher.insights.experts import (
    BASELINES,
    DEFAULT_WEIGHTS,
    ExpertFinder,
    Question,
    _micros,
    _round,
    evaluation_questions,
    tie_aware_metrics,
)
from rucher.insights.results import Result, not_enough_data

Embed = Callable[[Sequence[str | None]], np.ndarray]

FEATURES: tuple[str, ...] = (
    "topical",
    "bm25_answers",
    "bm25_best",
    "accepted",
    "accepted_near",
    "valued",
    "prior_answers",
    "recent",
    "fresh",
    "quick",
    "meaning",
)
# A young network: below this many usable past questions the learned weights are noise.
MIN_TRAINING_QUESTIONS = 30
# Chosen on the first half (in time) of german.meta, then frozen (docs/insights.md).
DEFAULT_C = 0.1
DEFAULT_NEGATIVES = 20
FALLBACK_WEIGHTS: dict[str, float] = {name: DEFAULT_WEIGHTS.get(name, 0.0) for name in FEATURES}
# Sentence vectors are of the first characters only: the cost of the encoder grows with
# length, and a question's title and first lines carry its subject.
EMBED_CHARS = 300
MICROS_PER_DAY = 86_400 * 1_000_000
MODEL_FORMAT_VERSION = 1


@dataclass(frozen=True)
class RankingModel:
    """Weights per feature and where they came from; JSON-able for storage."""

    weights: dict[str, float]
    learned: bool
    n_questions: int
    trained_until: datetime | None = None
    parameters: dict[str, Any] = field(default_factory=dict)

    def vector(self) -> np.ndarray:
        return np.asarray([self.weights.get(name, 0.0) for name in FEATURES], dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT_VERSION,
            "weights": {name: round(float(value), 8) for name, value in self.weights.items()},
            "learned": self.learned,
            "n_questions": self.n_questions,
            "trained_until": self.trained_until.isoformat() if self.trained_until else None,
            "parameters": self.parameters,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RankingModel:
        if data.get("format") != MODEL_FORMAT_VERSION:
            return fallback_model()
        until = data.get("trained_until")
        return cls(
            weights={k: float(v) for k, v in data["weights"].items() if k in FEATURES},
            learned=bool(data["learned"]),
            n_questions=int(data["n_questions"]),
            trained_until=datetime.fromisoformat(until) if until else None,
            parameters=dict(data.get("parameters") or {}),
        )

    def describe(self) -> str:
        if not self.learned:
            return (
                f"fixed weights (fewer than {MIN_TRAINING_QUESTIONS} answered questions "
                f"to learn from: {self.n_questions})"
            )
        return f"weights learned from {self.n_questions} earlier answered questions"


def fallback_model(n_questions: int = 0) -> RankingModel:
    return RankingModel(dict(FALLBACK_WEIGHTS), learned=False, n_questions=n_questions)


class ExpertFeatures:
    """Feature matrices of candidates for questions, from one ``ExpertFinder``'s data."""

    def __init__(self, finder: ExpertFinder, embed: Embed | None = None) -> None:
        self.finder = finder
        self.embed = embed
        corpus = finder.corpus
        content = finder.content
        n_docs = len(corpus.doc_ids)
        row_of = {int(doc): i for i, doc in enumerate(corpus.doc_ids)}
        accepted = finder._accepted
        self._accepted_doc = np.asarray(
            [row_of.get(int(obj), -1) for obj in accepted["object_id"]], dtype=np.int64
        )
        # Reply latency of each answer: its time minus its question's time.
        asked = dict(
            zip(
                content.filter(pl.col("kind") == "question")["content_id"].to_list(),
                content.filter(pl.col("kind") == "question")["created_at"].dt.epoch("us").to_list(),
                strict=True,
            )
        )
        roots = finder.doc_roots
        self._latency_hours = np.full(n_docs, np.nan)
        for i in np.flatnonzero(corpus.is_answer):
            question_at = asked.get(int(roots[i]))
            if question_at is not None:
                self._latency_hours[i] = max(0.0, (corpus.times[i] - question_at) / 3.6e9)
        self._doc_vectors: np.ndarray | None = None
        if embed is not None:
            texts = [text[:EMBED_CHARS] for text in finder.doc_texts]
            self._doc_vectors = np.asarray(embed(texts), dtype=np.float32)

    def question_vector(self, question: Question) -> np.ndarray | None:
        if self.embed is None:
            return None
        return np.asarray(self.embed([question.text[:EMBED_CHARS]]), dtype=np.float32)[0]

    def population(self, question: Question) -> np.ndarray:
        """People active before the question, asker excluded (positions)."""
        finder = self.finder
        people = finder.active_before(question.at)
        if question.asker_id is not None:
            people = people[finder.person_ids[people] != question.asker_id]
        return people

    def matrix(
        self,
        question: Question,
        candidates: np.ndarray,
        question_vector: np.ndarray | None = None,
        population: np.ndarray | None = None,
    ) -> np.ndarray:
        """(len(candidates), len(FEATURES)), each column divided by its maximum over the
        population active before ``t`` (defaults to it)."""
        finder, corpus = self.finder, self.finder.corpus
        n = len(finder.person_ids)
        t = _micros(question.at)
        before = corpus.times < t
        doc_bm25 = finder.bm25(question)
        raw = finder.raw_components(question)
        best = np.zeros(n)
        np.maximum.at(best, corpus.authors, doc_bm25)
        accepted = finder._accepted
        won = (accepted["micros"] < t) & (self._accepted_doc >= 0)
        near = np.bincount(
            accepted["target"][won], weights=doc_bm25[self._accepted_doc[won]], minlength=n
        )
        last = np.full(n, -1, dtype=np.int64)
        np.maximum.at(last, corpus.authors[before], corpus.times[before])
        fresh = np.where(last >= 0, 1.0 / (1.0 + (t - last) / MICROS_PER_DAY / 30.0), 0.0)
        quick = np.zeros(n)
        answered = before & corpus.is_answer & ~np.isnan(self._latency_hours)
        if answered.any():
            authors = corpus.authors[answered]
            hours = self._latency_hours[answered]
            order = np.lexsort((hours, authors))
            authors, hours = authors[order], hours[order]
            starts = np.flatnonzero(np.r_[True, authors[1:] != authors[:-1]])
            ends = np.r_[starts[1:], len(authors)]
            medians = np.asarray([np.median(hours[s:e]) for s, e in zip(starts, ends, strict=True)])
            quick[authors[starts]] = 1.0 / (1.0 + medians / 24.0)
        meaning = np.zeros(n)
        if self._doc_vectors is not None:
            vector = self.question_vector(question) if question_vector is None else question_vector
            if vector is not None:
                mine = before & (corpus.weights >= 1.0)  # answers and posts
                closeness = np.full(len(corpus.doc_ids), -1.0)
                closeness[mine] = self._doc_vectors[mine] @ vector
                np.maximum.at(meaning, corpus.authors, np.maximum(closeness, 0.0))
        columns = {
            "topical": np.log1p(np.maximum(raw["topical"], 0.0)),
            "bm25_answers": np.log1p(np.maximum(raw["bm25_answers"], 0.0)),
            "bm25_best": np.log1p(best),
            "accepted": np.log1p(raw["accepted"]),
            "accepted_near": np.log1p(np.maximum(near, 0.0)),
            "valued": np.log1p(np.maximum(raw["valued"], 0.0)),
            "prior_answers": np.log1p(raw["prior_answers"]),
            "recent": np.log1p(raw["recent"]),
            "fresh": fresh,
            "quick": quick,
            "meaning": meaning,
        }
        people = self.population(question) if population is None else population
        out = np.zeros((len(candidates), len(FEATURES)))
        for j, name in enumerate(FEATURES):
            values = columns[name]
            top = float(values[people].max()) if len(people) else 0.0
            if top > 0:
                out[:, j] = values[candidates] / top
        return out


# --- training --------------------------------------------------------------------------------


def training_questions(dataset: Dataset, cutoff: datetime) -> pl.DataFrame:
    """Questions usable for training at ``cutoff``: asked AND their answer accepted strictly
    before it (the acceptance is the label: a label from the future is a leak)."""
    accepted_at = (
        dataset.events.filter(pl.col("verb") == "accepted_answer")
        .group_by("object_id")
        .agg(pl.col("at").min().alias("accepted_at"))
    )
    answer_of = dataset.content.filter(
        (pl.col("kind") == "answer") & pl.col("accepted").fill_null(False)
    ).select(pl.col("root_id").alias("question_id"), pl.col("content_id").alias("object_id"))
    labels = (
        answer_of.join(accepted_at, on="object_id", how="left")
        .group_by("question_id")
        .agg(pl.col("accepted_at").min())
    )
    questions = evaluation_questions(dataset).join(labels, on="question_id", how="left")
    limit = cutoff if cutoff.tzinfo else cutoff.replace(tzinfo=UTC)
    # No acceptance event: the answer's own time would be a guess; the question's time is
    # the earliest the label can be known, so the question must simply be before the cut-off.
    known = pl.coalesce(pl.col("accepted_at"), pl.col("at"))
    return questions.filter((pl.col("at") < limit) & (known < limit))


def as_question(row: dict[str, Any]) -> Question:
    return Question(
        text=row["text"] or "",
        at=row["at"],
        topics=tuple(row["topics"] or ()),
        lang=row["lang"],
        asker_id=row["asker_id"],
    )


@dataclass
class TrainingExample:
    """One question's candidates for training: features and which row is the expert."""

    question_id: int
    at: datetime
    features: np.ndarray
    expert_row: int


def training_example(
    features: ExpertFeatures,
    row: dict[str, Any],
    negatives: int = DEFAULT_NEGATIVES,
    seed: int = 0,
) -> TrainingExample | None:
    """The expert, the other answerers and ``negatives`` members sampled from those active
    before the question (half the most topical, half at random: easy and hard negatives)."""
    finder = features.finder
    question = as_question(row)
    population = features.population(question)
    expert = finder.position(np.asarray([row["expert_id"]]))[0]
    if expert not in set(population.tolist()):
        return None
    answerers = finder.position(np.asarray(row["answerer_ids"] or [], dtype=np.int64))
    others = population[population != expert]
    rng = np.random.default_rng(seed + int(row["question_id"]))
    # Hard negatives: the strongest competitors by the fixed-weight score (the people the
    # expert must be told apart from), the rest at random.
    strength = finder.combine(finder.raw_components(question), others)[0]
    hard = others[np.argsort(-strength, kind="stable")[: (3 * negatives) // 4]]
    easy = rng.choice(others, size=min(len(others), negatives - len(hard)), replace=False)
    chosen = np.unique(np.concatenate([answerers, hard, easy]))
    chosen = chosen[(chosen != expert) & np.isin(chosen, population)]
    candidates = np.concatenate([[expert], chosen]).astype(np.int64)
    matrix = features.matrix(question, candidates, population=population)
    return TrainingExample(int(row["question_id"]), row["at"], matrix, 0)


def fit_model(
    examples: Sequence[TrainingExample],
    cutoff: datetime,
    c: float = DEFAULT_C,
    min_questions: int = MIN_TRAINING_QUESTIONS,
) -> RankingModel:
    """Pairwise logistic regression over examples strictly before ``cutoff``."""
    from sklearn.linear_model import LogisticRegression

    usable = [e for e in examples if e.at < cutoff]
    if any(e.at >= cutoff for e in usable):  # pragma: no cover - guarded above
        raise AssertionError("a training question is after the cut-off")
    if len(usable) < min_questions:
        return fallback_model(len(usable))
    differences = []
    for example in usable:
        expert = example.features[example.expert_row]
        others = np.delete(example.features, example.expert_row, axis=0)
        differences.append(expert[None, :] - others)
    x = np.concatenate(differences)
    x = np.concatenate([x, -x])
    y = np.r_[np.ones(len(x) // 2), np.zeros(len(x) // 2)]
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=1000)
    model.fit(x, y)
    weights = dict(zip(FEATURES, (float(w) for w in model.coef_[0]), strict=True))
    return RankingModel(
        weights=weights,
        learned=True,
        n_questions=len(usable),
        trained_until=cutoff,
        parameters={"c": c, "pairs": len(x) // 2},
    )


def train(
    dataset: Dataset,
    cutoff: datetime,
    features: ExpertFeatures | None = None,
    c: float = DEFAULT_C,
    negatives: int = DEFAULT_NEGATIVES,
    min_questions: int = MIN_TRAINING_QUESTIONS,
) -> RankingModel:
    """The model for questions asked from ``cutoff`` on, from what was known before it."""
    features = features or ExpertFeatures(ExpertFinder(dataset))
    examples = []
    for row in training_questions(dataset, cutoff).iter_rows(named=True):
        example = training_example(features, row, negatives=negatives)
        if example is not None:
            examples.append(example)
    model = fit_model(examples, cutoff, c=c, min_questions=min_questions)
    return RankingModel(
        model.weights,
        model.learned,
        model.n_questions,
        model.trained_until,
        {**model.parameters, "negatives": negatives, "meaning": features.embed is not None},
    )


# --- ranking ---------------------------------------------------------------------------------


def rank_experts(
    features: ExpertFeatures,
    model: RankingModel,
    question: Question,
    candidate_ids: Sequence[int] | None = None,
    k: int = 10,
) -> Result:
    """The ``k`` best candidates with their score split by feature (weight × value) and the
    evidence ids (best-matching contributions, accepted answers)."""
    finder = features.finder
    population = features.population(question)
    if candidate_ids is None:
        candidates = population
    else:
        wanted = np.asarray(list(candidate_ids), dtype=np.int64)
        wanted = wanted[np.isin(wanted, finder.person_ids) & (wanted >= 0)]
        candidates = finder.position(np.unique(wanted))
        if question.asker_id is not None:
            candidates = candidates[finder.person_ids[candidates] != question.asker_id]
    parameters = {"k": k, "model": model.to_dict()}
    method = f"Learned expert finder: {model.describe()}."
    if len(candidates) == 0:
        return not_enough_data("experts", method, 0, 1, parameters)
    matrix = features.matrix(question, candidates, population=population)
    parts = matrix * model.vector()[None, :]
    total = parts.sum(axis=1)
    order = np.lexsort((finder.person_ids[candidates], -total))[:k]
    best = candidates[order]
    evidence = finder._evidence(question, best)
    ranked = [
        {
            "person_id": int(finder.person_ids[p]),
            "score": round(float(total[i]), 6),
            "components": {
                name: round(float(parts[i, j]), 6)
                for j, name in enumerate(FEATURES)
                if parts[i, j] != 0
            },
            "evidence": evidence[int(p)],
        }
        for i, p in zip(order, best, strict=True)
    ]
    return Result(
        name="experts",
        value=ranked,
        method=method,
        parameters=parameters,
        denominator=len(candidates),
        evidence={
            "content_ids": sorted({c for p in best for c in evidence[int(p)]["matching_content"]})
        },
    )


# --- evaluation: train on the past, test on the future --------------------------------------


def evaluate_learned(
    dataset: Dataset,
    k: int = 10,
    embed: Embed | None = None,
    c: float = DEFAULT_C,
    negatives: int = DEFAULT_NEGATIVES,
    min_questions: int = MIN_TRAINING_QUESTIONS,
    retrain_every: int = 10,
    test_from: float = 0.0,
    test_until: float = 1.0,
    on_question: Any = None,
) -> dict[str, Any]:
    """Replay the questions in time order. Each is ranked by the model trained on the
    questions asked and accepted before it (retrained once ``retrain_every`` new ones are
    known; fixed weights while fewer than ``min_questions``), then scored under the two
    protocols with the baselines and the hand-weighted finder of before. ``test_from`` /
    ``test_until`` (fractions of the questions in time order) choose the window scored, so
    hyper-parameters chosen on one window can be reported on a later one."""
    finder = ExpertFinder(dataset)
    features = ExpertFeatures(finder, embed)
    questions = evaluation_questions(dataset)
    labels = training_questions(dataset, datetime.max.replace(tzinfo=UTC))
    known_at = dict(zip(labels["question_id"].to_list(), labels["at"].to_list(), strict=True))
    accept_times = _label_times(dataset)
    examples: dict[int, TrainingExample] = {}
    for row in questions.iter_rows(named=True):
        example = training_example(features, row, negatives=negatives)
        if example is not None and row["question_id"] in known_at:
            examples[int(row["question_id"])] = example
    n = questions.height
    first, last = math.floor(test_from * n), math.ceil(test_until * n)
    methods = ("learned", "hand_weighted", *BASELINES)
    totals = {p: {m: np.zeros(3) for m in methods} for p in ("answerers", "all_members")}
    counts = {"answerers": 0, "all_members": 0}
    model = fallback_model()
    trained_on = -1
    learned_questions = 0
    for index, row in enumerate(questions.iter_rows(named=True)):
        if not first <= index < last:
            continue
        question = as_question(row)
        t = question.at
        usable = [e for qid, e in examples.items() if e.at < t and accept_times.get(qid, e.at) < t]
        if len(usable) >= trained_on + retrain_every or (trained_on < min_questions <= len(usable)):
            model = fit_model(usable, t, c=c, min_questions=min_questions)
            trained_on = len(usable)
        learned_questions += int(model.learned)
        population = features.population(question)
        vector = features.question_vector(question)
        full = features.matrix(question, population, question_vector=vector, population=population)
        raw = finder.raw_components(question)
        answerer_ids = np.asarray(row["answerer_ids"] or [], dtype=np.int64)
        expert = int(finder.position(np.asarray([row["expert_id"]]))[0])
        index_of = {int(p): i for i, p in enumerate(population)}
        protocols = {
            "answerers": finder.position(answerer_ids) if len(answerer_ids) >= 2 else None,
            "all_members": population,
        }
        for protocol, candidates in protocols.items():
            if candidates is None:
                continue
            counts[protocol] += 1
            where = np.flatnonzero(candidates == expert)
            truth = int(where[0]) if len(where) else None
            rows = [index_of.get(int(p), -1) for p in candidates]
            matrix = np.asarray(
                [full[r] if r >= 0 else np.zeros(len(FEATURES)) for r in rows]
            ).reshape(len(candidates), len(FEATURES))
            per_method = {
                "learned": matrix @ model.vector(),
                "hand_weighted": finder.combine(raw, candidates)[0],
                "random": np.zeros(len(candidates)),
                "prior_answers": raw["prior_answers"][candidates],
                "bm25_answers": raw["bm25_answers"][candidates],
            }
            for method, scores in per_method.items():
                totals[protocol][method] += tie_aware_metrics(scores, truth, k)
        if on_question is not None:
            on_question()

    def summary(protocol: str) -> dict[str, Any]:
        count = counts[protocol]

        def figures(method: str) -> dict[str, float | None]:
            values = totals[protocol][method] / count if count else (None, None, None)
            return {
                "p_at_1": _round(values[0]),
                "mrr": _round(values[1]),
                "hit_at_k": _round(values[2]),
            }

        return {
            "n_questions": count,
            "method": figures("learned"),
            "hand_weighted": figures("hand_weighted"),
            "baselines": {b: figures(b) for b in BASELINES},
        }

    final = fit_model(list(examples.values()), datetime.max.replace(tzinfo=UTC), c=c)
    all_members = summary("all_members")
    return {
        "method": "learned expert finder (pairwise logistic regression, retrained in time)",
        "k": k,
        "n_questions": n,
        "window": {
            "from": test_from,
            "until": test_until,
            "n_scored": max(0, min(last, n) - first),
        },
        "questions_ranked_by_learned_model": learned_questions,
        "answerers": summary("answerers"),
        "all_members": all_members,
        "baselines": all_members["baselines"],
        "parameters": {
            "c": c,
            "negatives": negatives,
            "min_questions": min_questions,
            "retrain_every": retrain_every,
            "meaning": embed is not None,
        },
        "final_weights": final.weights,
    }


def _label_times(dataset: Dataset) -> dict[int, datetime]:
    """Question id → when its accepted answer was accepted (when the data says)."""
    labels = training_questions(dataset, datetime.max.replace(tzinfo=UTC))
    accepted = (
        dataset.events.filter(pl.col("verb") == "accepted_answer")
        .join(
            dataset.content.select(pl.col("content_id").alias("object_id"), "root_id"),
            on="object_id",
            how="inner",
        )
        .group_by("root_id")
        .agg(pl.col("at").min())
    )
    times = dict(zip(accepted["root_id"].to_list(), accepted["at"].to_list(), strict=True))
    return {int(q): times[q] for q in labels["question_id"].to_list() if q in times}

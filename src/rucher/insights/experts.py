"""The expert finder: who can answer this question, judged only from what happened before it.

For a question (text, topics, time ``t``) every candidate gets four components, each computed
from data strictly before ``t`` (content created before ``t``, events stamped before ``t``):

- ``topical``: BM25 (Robertson & Zaragoza 2009) of the question against each of the
  candidate's past answers, posts and comments (answers carry their question's title and tags,
  because answering a question on X is evidence about X), summed per person, kind-weighted;
  document frequencies and lengths are those of the documents that existed before ``t``;
- ``accepted``: answers of theirs that askers accepted before ``t``;
- ``valued``: net votes/reactions their contributions received before ``t`` (+1/-1 each);
- ``recent``: their contributions in the ``recent_days`` before ``t`` (an expert who left
  will not answer).

Each component is damped with ``log1p`` (the tenth accepted answer says less than the first)
and divided by its maximum over the candidates, so it lies in [0, 1]; the score is the
weighted sum. Each candidate's score is reported split by component, with the evidence ids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl
from scipy import sparse

from rucher.insights.contract import Dataset
from rucher.insights.results import Result, not_enough_data
from rucher.insights.text import stem_words, tokenize

DEFAULT_WEIGHTS: dict[str, float] = {
    "topical": 0.4,
    "accepted": 0.25,
    "valued": 0.2,
    "recent": 0.15,
}
# How much one document of each kind says about its author's knowledge. Questions are left
# out: asking about X shows interest in X, not expertise.
KIND_WEIGHTS: dict[str, float] = {"answer": 1.0, "post": 1.0, "comment": 0.5}
BM25_K1 = 1.2
BM25_B = 0.75
RECENT_DAYS = 90
ANY_LANGUAGE = "*"  # Question.lang of a query whose language is not known
COMPONENTS: tuple[str, ...] = ("topical", "accepted", "valued", "recent")
METHOD = (
    "Expert finder: per candidate, four components from data before the question only: "
    "topical closeness (BM25 of the question against the candidate's past answers, posts "
    "and comments, summed, answers 1, posts 1, comments 0.5), accepted answers, net votes "
    "received, contributions in the last {recent} days; each log1p-damped and divided by "
    "its maximum over the candidates; score = weighted sum (weights {weights})."
)


@dataclass(frozen=True)
class Question:
    text: str
    at: datetime
    topics: tuple[str, ...] = ()
    lang: str | None = None
    asker_id: int | None = None  # never recommended to themselves


@dataclass
class _Corpus:
    """Documents (one per contribution) as a sparse term-frequency matrix plus metadata."""

    doc_ids: np.ndarray
    authors: np.ndarray  # person position (index into ExpertFinder.person_ids)
    times: np.ndarray  # int64 microseconds since epoch, UTC
    weights: np.ndarray  # KIND_WEIGHTS of each document
    is_answer: np.ndarray
    lengths: np.ndarray
    terms: sparse.csc_matrix  # documents × vocabulary
    vocabulary: dict[str, int] = field(default_factory=dict)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(at: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return (at - _EPOCH) // timedelta(microseconds=1)


def _doc_tokens(text: str | None, lang: str | None, topics: list[str] | None) -> list[str]:
    """Index terms: the shared tokenizer's words (French and English stop words removed),
    stemmed for French/English texts with a per-word cache (Snowball in pure Python is the
    slow part, and a corpus repeats the same few thousand words)."""
    tokens = tokenize(text or "", "unknown")
    if lang in ("fr", "en"):
        tokens = [_stem(token, lang) for token in tokens]
    elif lang == ANY_LANGUAGE:
        # A search box's query: its language is unknown, so it matches French and English
        # documents (stemmed in their own language) and unstemmed ones alike.
        tokens = list(
            dict.fromkeys(
                tokens + [_stem(t, "fr") for t in tokens] + [_stem(t, "en") for t in tokens]
            )
        )
    # Tags are exact labels: matched as whole tokens, prefixed so they never collide with words.
    return tokens + [f"#{t.lower()}" for t in (topics or [])]


@lru_cache(maxsize=500_000)
def _stem(word: str, lang: str) -> str:
    return stem_words([word], lang)[0]


class ExpertFinder:
    """Built once from a ``Dataset``; ``rank`` and ``scores`` answer questions at any time."""

    def __init__(
        self,
        dataset: Dataset,
        weights: dict[str, float] | None = None,
        recent_days: int = RECENT_DAYS,
    ) -> None:
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        unknown = set(self.weights) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown expert-finder component(s): {sorted(unknown)}")
        self.recent = recent_days * 86_400 * 1_000_000
        self.recent_days = recent_days
        content, events = dataset.content, dataset.events
        self.person_ids = np.unique(
            np.concatenate(
                [
                    dataset.people["person_id"].to_numpy(),
                    content["author_id"].to_numpy(),
                    events["actor_id"].to_numpy(),
                ]
            )
        ).astype(np.int64)
        self.system = self.person_ids < 0  # reserved accounts (bots, anonymous, deleted)
        self.content = content
        self.corpus = self._build_corpus(content)
        self._accepted = self._credit(events.filter(pl.col("verb") == "accepted_answer"), None)
        self._valued = self._credit(events.filter(pl.col("verb") == "reacted"), "value")
        self._first_seen = self._first_activity(content, events)

    # --- building -----------------------------------------------------------------------

    def position(self, person_ids: np.ndarray) -> np.ndarray:
        """Index of each person id in ``person_ids`` (ids must be known)."""
        return np.searchsorted(self.person_ids, np.asarray(person_ids, dtype=np.int64))

    def _build_corpus(self, content: pl.DataFrame) -> _Corpus:
        titles = content.filter(pl.col("kind") == "question").select(
            pl.col("content_id").alias("root_id"),
            pl.col("text").str.split("\n").list.first().alias("root_title"),
        )
        docs = (
            content.filter(pl.col("kind").is_in(list(KIND_WEIGHTS)))
            .join(titles, on="root_id", how="left")
            .with_columns(
                pl.when(pl.col("kind") == "answer")
                .then(
                    pl.concat_str(
                        [pl.col("root_title"), pl.col("text")], separator="\n", ignore_nulls=True
                    )
                )
                .otherwise(pl.col("text"))
                .alias("indexed_text"),
                pl.col("kind").replace_strict(KIND_WEIGHTS, return_dtype=pl.Float64).alias("w"),
                pl.col("created_at").dt.epoch("us").alias("micros"),
            )
            .sort("micros", "content_id")
        )
        # Kept for the learned ranker's features (reply latency, sentence vectors).
        self.doc_roots = docs["root_id"].fill_null(-1).to_numpy()
        self.doc_texts: list[str] = [text or "" for text in docs["indexed_text"].to_list()]
        token_lists = [
            _doc_tokens(text, lang, topics)
            for text, lang, topics in zip(
                docs["indexed_text"].to_list(),
                docs["lang"].to_list(),
                docs["topics"].to_list(),
                strict=True,
            )
        ]
        vocabulary: dict[str, int] = {}
        indptr, indices = [0], []
        for tokens in token_lists:
            for token in tokens:
                indices.append(vocabulary.setdefault(token, len(vocabulary)))
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float64)
        matrix = sparse.csr_matrix(
            (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
            shape=(len(token_lists), len(vocabulary)),
        )
        matrix.sum_duplicates()
        return _Corpus(
            doc_ids=docs["content_id"].to_numpy(),
            authors=self.position(docs["author_id"].to_numpy()),
            times=docs["micros"].to_numpy(),
            weights=docs["w"].to_numpy(),
            is_answer=(docs["kind"] == "answer").to_numpy(),
            lengths=np.asarray([len(t) for t in token_lists], dtype=np.float64),
            terms=matrix.tocsc(),
            vocabulary=vocabulary,
        )

    def _credit(self, events: pl.DataFrame, value: str | None) -> dict[str, np.ndarray]:
        events = events.filter(pl.col("target_id").is_not_null()).sort("at")
        known = events["target_id"].is_in(pl.Series(self.person_ids).implode())
        events = events.filter(known)
        values = events[value].fill_null(0.0).to_numpy() if value else np.ones(events.height)
        return {
            "target": self.position(events["target_id"].to_numpy()),
            "micros": events["at"].dt.epoch("us").to_numpy(),
            "value": values.astype(np.float64),
            "object_id": events["object_id"].to_numpy(),
        }

    def _first_activity(self, content: pl.DataFrame, events: pl.DataFrame) -> np.ndarray:
        first = np.full(len(self.person_ids), np.iinfo(np.int64).max, dtype=np.int64)
        for ids, times in (
            (content["author_id"], content["created_at"]),
            (events["actor_id"], events["at"]),
        ):
            np.minimum.at(first, self.position(ids.to_numpy()), times.dt.epoch("us").to_numpy())
        return first

    # --- querying -----------------------------------------------------------------------

    def active_before(self, at: datetime) -> np.ndarray:
        """Positions of the (non-system) people who had done anything before ``at``."""
        return np.flatnonzero((self._first_seen < _micros(at)) & ~self.system)

    def bm25(self, question: Question) -> np.ndarray:
        """BM25 score of every document against the question (0 for documents at or after t)."""
        corpus = self.corpus
        before = corpus.times < _micros(question.at)
        scores = np.zeros(len(corpus.doc_ids))
        n_docs = int(before.sum())
        query = [
            corpus.vocabulary[t]
            for t in set(_doc_tokens(question.text, question.lang, list(question.topics)))
            if t in corpus.vocabulary
        ]
        if n_docs == 0 or not query:
            return scores
        tf = corpus.terms[:, query].toarray() * before[:, None]
        df = (tf > 0).sum(axis=0)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        average_length = corpus.lengths[before].mean() or 1.0
        norm = BM25_K1 * (1 - BM25_B + BM25_B * corpus.lengths / average_length)
        scores = ((tf * (BM25_K1 + 1)) / (tf + norm[:, None]) * idf).sum(axis=1)
        return np.where(before, scores, 0.0)

    def raw_components(self, question: Question) -> dict[str, np.ndarray]:
        """Every component for every person (arrays aligned with ``person_ids``), before t."""
        t = _micros(question.at)
        n = len(self.person_ids)
        corpus = self.corpus
        doc_scores = self.bm25(question) * corpus.weights
        recent = (corpus.times < t) & (corpus.times >= t - self.recent)
        accepted = self._accepted["micros"] < t
        valued = self._valued["micros"] < t
        return {
            "topical": np.bincount(corpus.authors, weights=doc_scores, minlength=n),
            "accepted": np.bincount(self._accepted["target"][accepted], minlength=n).astype(float),
            "valued": np.bincount(
                self._valued["target"][valued], weights=self._valued["value"][valued], minlength=n
            ),
            "recent": np.bincount(corpus.authors[recent], minlength=n).astype(float),
            "bm25_answers": np.bincount(
                corpus.authors[corpus.is_answer],
                weights=doc_scores[corpus.is_answer],
                minlength=n,
            ),
            "prior_answers": np.bincount(
                corpus.authors[(corpus.times < t) & corpus.is_answer], minlength=n
            ).astype(float),
        }

    def combine(
        self, raw: dict[str, np.ndarray], candidates: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Score of each candidate position and its split by component (each in [0, weight])."""
        parts: dict[str, np.ndarray] = {}
        for name, weight in self.weights.items():
            values = np.log1p(np.maximum(raw[name][candidates], 0.0))
            top = values.max() if len(values) else 0.0
            parts[name] = weight * values / top if top > 0 else np.zeros(len(candidates))
        total = np.sum(list(parts.values()), axis=0) if parts else np.zeros(len(candidates))
        return np.asarray(total, dtype=np.float64), parts

    def scores(self, question: Question, candidates: np.ndarray) -> np.ndarray:
        """Scores of the candidate positions (no explanation: the evaluation's fast path)."""
        return self.combine(self.raw_components(question), candidates)[0]

    def rank(
        self, question: Question, candidate_ids: list[int] | None = None, k: int = 10
    ) -> Result:
        """The ``k`` best candidates, each with its score split by component and evidence.

        Candidates default to everyone active before ``t`` (system accounts and the asker
        excluded). ``not_enough_data`` when there is no candidate.
        """
        parameters = {"weights": self.weights, "k": k, "recent_days": self.recent_days}
        method = METHOD.format(recent=self.recent_days, weights=self.weights)
        if candidate_ids is None:
            candidates = self.active_before(question.at)
        else:
            wanted = np.asarray(candidate_ids, dtype=np.int64)
            wanted = wanted[np.isin(wanted, self.person_ids) & (wanted >= 0)]
            candidates = self.position(np.unique(wanted))
        if question.asker_id is not None:
            candidates = candidates[self.person_ids[candidates] != question.asker_id]
        if len(candidates) == 0:
            return not_enough_data("experts", method, 0, 1, parameters)
        raw = self.raw_components(question)
        total, parts = self.combine(raw, candidates)
        order = np.lexsort((self.person_ids[candidates], -total))[:k]
        best = candidates[order]
        evidence = self._evidence(question, best)
        ranked = [
            {
                "person_id": int(self.person_ids[p]),
                "score": round(float(total[i]), 6),
                "components": {name: round(float(parts[name][i]), 6) for name in parts},
                "raw": {name: float(raw[name][p]) for name in (*COMPONENTS, "prior_answers")},
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
                "content_ids": sorted(
                    {c for p in best for c in evidence[int(p)]["matching_content"]}
                )
            },
        )

    def _evidence(self, question: Question, people: np.ndarray) -> dict[int, dict[str, Any]]:
        """Why: each person's best-matching past contributions and accepted answers before t."""
        t = _micros(question.at)
        corpus = self.corpus
        doc_scores = self.bm25(question)
        accepted = self._accepted
        out: dict[int, dict[str, Any]] = {}
        for p in people:  # only the k people shown: a short loop
            mine = np.flatnonzero((corpus.authors == p) & (doc_scores > 0))
            top = mine[np.argsort(-doc_scores[mine], kind="stable")][:3]
            won = (accepted["target"] == p) & (accepted["micros"] < t)
            out[int(p)] = {
                "matching_content": [int(corpus.doc_ids[d]) for d in top],
                "accepted_answers": [int(x) for x in accepted["object_id"][won][:10]],
            }
        return out


# --- evaluation ------------------------------------------------------------------------------


def tie_aware_metrics(scores: np.ndarray, truth: int | None, k: int) -> tuple[float, float, float]:
    """P@1, reciprocal rank and hit@k of candidate ``truth`` (an index into ``scores``),
    in expectation over a random order among tied scores; all zero when ``truth`` is None
    (the right person was not among the candidates)."""
    if truth is None or len(scores) == 0:
        return 0.0, 0.0, 0.0
    rounded = np.round(scores, 12)
    better = int((rounded > rounded[truth]).sum())
    tied = int((rounded == rounded[truth]).sum())
    ranks = np.arange(better + 1, better + tied + 1, dtype=np.float64)
    p_at_1 = 1.0 / tied if better == 0 else 0.0
    return p_at_1, float(np.mean(1.0 / ranks)), float(np.mean(ranks <= k))


def evaluation_questions(dataset: Dataset) -> pl.DataFrame:
    """Questions with an accepted answer by someone other than the asker (a real person):
    question_id, text, lang, topics, at, asker_id, expert_id, answerer_ids."""
    content = dataset.content
    answers = content.filter(pl.col("kind") == "answer")
    accepted = (
        answers.filter(pl.col("accepted").fill_null(False))
        .select(pl.col("root_id").alias("question_id"), pl.col("author_id").alias("expert_id"))
        .unique("question_id", keep="first")
    )
    answerers = answers.group_by(pl.col("root_id").alias("question_id")).agg(
        pl.col("author_id").filter(pl.col("author_id") >= 0).unique().sort().alias("answerer_ids")
    )
    return (
        content.filter(pl.col("kind") == "question")
        .select(
            pl.col("content_id").alias("question_id"),
            "text",
            "lang",
            "topics",
            pl.col("created_at").alias("at"),
            pl.col("author_id").alias("asker_id"),
        )
        .join(accepted, on="question_id", how="inner")
        .join(answerers, on="question_id", how="left")
        .filter((pl.col("expert_id") >= 0) & (pl.col("expert_id") != pl.col("asker_id")))
        .sort("at", "question_id")
    )


BASELINES: tuple[str, ...] = ("random", "prior_answers", "bm25_answers")


def evaluate_finder(
    dataset: Dataset,
    k: int = 10,
    finder: ExpertFinder | None = None,
    on_question: Any = None,
) -> dict[str, Any]:
    """Replay every evaluation question at its own time and score rucher's finder and the
    baselines under two protocols: rank the question's answerers (questions with at least two
    distinct answerers) and rank every member active before the question (asker excluded).

    Random is the expected value over orders, not one draw; every method's ties are broken
    in expectation the same way (``tie_aware_metrics``).
    """
    finder = finder or ExpertFinder(dataset)
    questions = evaluation_questions(dataset)
    methods = ("rucher", *BASELINES)
    totals = {
        protocol: {m: np.zeros(3) for m in methods} for protocol in ("answerers", "all_members")
    }
    counts = {"answerers": 0, "all_members": 0}
    expert_was_candidate = 0
    for row in questions.iter_rows(named=True):  # one iteration per question, not per event
        question = Question(
            text=row["text"] or "",
            at=row["at"],
            topics=tuple(row["topics"] or ()),
            lang=row["lang"],
            asker_id=row["asker_id"],
        )
        raw = finder.raw_components(question)
        answerer_ids = np.asarray(row["answerer_ids"] or [], dtype=np.int64)
        protocols = {
            "answerers": finder.position(answerer_ids) if len(answerer_ids) >= 2 else None,
            "all_members": finder.active_before(question.at),
        }
        expert = int(finder.position(np.asarray([row["expert_id"]]))[0])
        for protocol, candidates in protocols.items():
            if candidates is None:
                continue
            if protocol == "all_members":
                candidates = candidates[finder.person_ids[candidates] != row["asker_id"]]
                expert_was_candidate += int(expert in set(candidates.tolist()))
            counts[protocol] += 1
            where = np.flatnonzero(candidates == expert)
            truth = int(where[0]) if len(where) else None
            per_method = {
                "rucher": finder.combine(raw, candidates)[0],
                "random": np.zeros(len(candidates)),
                "prior_answers": raw["prior_answers"][candidates],
                "bm25_answers": raw["bm25_answers"][candidates],
            }
            for method, scores in per_method.items():
                totals[protocol][method] += tie_aware_metrics(scores, truth, k)
        if on_question is not None:
            on_question()

    def summary(protocol: str) -> dict[str, Any]:
        n = counts[protocol]

        def figures(method: str) -> dict[str, float | None]:
            p1, mrr, hit = (totals[protocol][method] / n) if n else (None, None, None)
            return {"p_at_1": _round(p1), "mrr": _round(mrr), "hit_at_k": _round(hit)}

        return {
            "n_questions": n,
            "method": figures("rucher"),
            "baselines": {b: figures(b) for b in BASELINES},
        }

    all_members = summary("all_members")
    all_members["expert_among_candidates"] = _round(
        expert_was_candidate / counts["all_members"] if counts["all_members"] else None
    )
    return {
        "method": METHOD.format(recent=finder.recent_days, weights=finder.weights),
        "k": k,
        "n_questions": questions.height,
        "answerers": summary("answerers"),
        "all_members": all_members,
        "baselines": {b: all_members["baselines"][b] for b in BASELINES},
        "parameters": {"weights": finder.weights, "recent_days": finder.recent_days},
    }


def _round(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)

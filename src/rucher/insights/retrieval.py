"""Ranking building blocks shared by the product and its evaluation (pure: no Django).

- ``reciprocal_rank_fusion``: THE function that merges the words ranking (BM25 / full text)
  and the meaning ranking (sentence vectors). The search page and ``rucher evaluate search``
  both call it, so the figure reported is the ranking people get.
- ``nearest_rows``: brute-force cosine nearest neighbours over a matrix of unit vectors
  (float16 or float32), in chunks so a 1 M-row float16 matrix is never copied whole.
- ``Bm25``: Okapi BM25 over token lists, for the evaluation's "words only" ranking.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

import numpy as np

Key = TypeVar("Key", bound=Hashable)

# Cormack, Clarke & Büttcher (SIGIR 2009), "Reciprocal rank fusion outperforms Condorcet and
# individual rank learning methods": k = 60, fixed in their paper and never tuned here (the
# only Stack Exchange site we have is the one we report on; docs/insights.md).
RRF_K = 60
# Rows multiplied per step: 65,536 × 512 float32 is a 128 MiB temporary at most.
CHUNK_ROWS = 65_536


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Key]], *, k: int = RRF_K, limit: int | None = None
) -> list[tuple[Key, float]]:
    """Merge best-first rankings: score(d) = Σ 1 / (k + rank_r(d)), ranks from 1.

    An item absent from a ranking gets nothing from it. Ties keep the order of first
    appearance (the first ranking wins), so the result is deterministic."""
    if k < 0:
        raise ValueError("k must be >= 0")
    scores: dict[Key, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    order = sorted(scores.items(), key=lambda pair: -pair[1])  # stable: first seen first
    return order if limit is None else order[:limit]


def nearest_rows(
    matrix: np.ndarray,
    query: np.ndarray,
    limit: int,
    *,
    allowed: np.ndarray | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> tuple[np.ndarray, np.ndarray]:
    """(row indices, cosine similarities) of the ``limit`` rows closest to ``query``, best
    first. Rows and query are unit vectors (a zero row scores 0). ``allowed``: a boolean mask
    of the rows that may be returned (kinds filter)."""
    rows = matrix.shape[0]
    if limit <= 0 or rows == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    q = np.asarray(query, dtype=np.float32).reshape(-1)
    scores = np.empty(rows, dtype=np.float32)
    for start in range(0, rows, chunk_rows):
        block = matrix[start : start + chunk_rows]
        if block.dtype != np.float32:
            block = block.astype(np.float32)
        scores[start : start + len(block)] = block @ q
    if allowed is not None:
        scores[~allowed] = -np.inf
    limit = min(limit, rows)
    top = np.argpartition(-scores, limit - 1)[:limit]
    top = top[np.argsort(-scores[top], kind="stable")]
    top = top[np.isfinite(scores[top])]
    return top.astype(np.int64), scores[top]


class Bm25:
    """Okapi BM25 (k1 = 1.2, b = 0.75: Robertson's defaults, not tuned) over token lists."""

    def __init__(self, documents: Iterable[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.frequencies: list[Counter[str]] = [Counter(doc) for doc in documents]
        self.lengths = np.array([sum(c.values()) for c in self.frequencies], dtype=np.float64)
        self.average_length = float(self.lengths.mean()) if len(self.lengths) else 0.0
        document_frequency: Counter[str] = Counter()
        for counts in self.frequencies:
            document_frequency.update(counts.keys())
        n = len(self.frequencies)
        self.idf = {
            term: math.log(1 + (n - df + 0.5) / (df + 0.5))
            for term, df in document_frequency.items()
        }
        self.postings: dict[str, list[int]] = {}
        for index, counts in enumerate(self.frequencies):
            for term in counts:
                self.postings.setdefault(term, []).append(index)

    def scores(self, query: Sequence[str], among: np.ndarray | None = None) -> np.ndarray:
        """A score per document (0 when no query term occurs); ``among``: a mask, others 0."""
        out = np.zeros(len(self.frequencies), dtype=np.float64)
        norm = self.k1 * (1 - self.b + self.b * self.lengths / (self.average_length or 1.0))
        for term in set(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for index in self.postings[term]:
                tf = self.frequencies[index][term]
                out[index] += idf * tf * (self.k1 + 1) / (tf + norm[index])
        if among is not None:
            out[~among] = 0.0
        return out


def ranking_from_scores(scores: np.ndarray, keys: Sequence[Key], limit: int) -> list[Key]:
    """The keys of the ``limit`` best positive scores, best first (ties: lower index)."""
    positive = np.flatnonzero(scores > 0)
    if not len(positive):
        return []
    order = positive[np.argsort(-scores[positive], kind="stable")][:limit]
    return [keys[i] for i in order]

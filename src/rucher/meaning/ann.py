"""Approximate nearest neighbours for large stores: usearch HNSW graphs beside the matrix.

Pure (NumPy and usearch, no Django): the cache (cache.py) keeps one ``Indexes`` per process in
step with the database, and the benchmark (benchmarks/meaning_ann.py) measures this same code.

- One graph per kind (post, comment, question, answer, poll): a kinds filter picks graphs
  instead of masking candidates, so a rare kind (the questions of "similar questions") is
  never starved by the common ones. Keys are content ids; a graph holds int8 copies of the
  vectors (512 bytes per item, plus the links) and only proposes candidates.
- ``nearest_rows_ann`` asks each wanted graph for ``limit × OVERSAMPLE`` candidates (at most
  ``limit + EXTRA_AT_MOST``), drops the rows the mask refuses (exclusions, a row emptied
  since), asks again four times wider while the mask took more than half of the extra ones
  and the graph has more, then scores the candidates
  against the float16 matrix (a float16 kernel to rank them, float32 for the best
  ``2 × limit``): the similarities callers see are brute force's.

Parameters (connectivity 16, expansion 128 to add and 64 to search, int8, oversampling 4,
at most 200 extra)
were chosen on a synthetic clustered set drawn with another seed than the one reported in
docs/performance.md ("Meaning: approximate nearest neighbours").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 64
INDEX_DTYPE = "i8"
OVERSAMPLE = 4
# ... but never more than this many beyond ``limit`` (search reads 200 deep: 400 per graph).
EXTRA_AT_MOST = 200
# Rows converted to float32 per ``add`` call while building (a 64 MiB temporary at most).
BUILD_CHUNK = 32_768


def new_index(dimensions: int) -> Any:
    from usearch.index import Index

    return Index(
        ndim=dimensions,
        metric="cos",
        dtype=INDEX_DTYPE,
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


class Indexes:
    """One HNSW graph per kind code; keys are content ids."""

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self.by_code: dict[int, Any] = {}

    @classmethod
    def build(
        cls,
        keys: np.ndarray,
        codes: np.ndarray,
        matrix: np.ndarray,
        *,
        skip: int,
        threads: int = 0,
    ) -> Indexes:
        """Index row ``i`` of ``matrix`` under ``keys[i]`` in the graph of ``codes[i]``
        (rows of code ``skip``, the empty ones, left out)."""
        indexes = cls(matrix.shape[1])
        for code in np.unique(codes):
            if int(code) == skip:
                continue
            rows = np.flatnonzero(codes == code)
            for start in range(0, len(rows), BUILD_CHUNK):
                chunk = rows[start : start + BUILD_CHUNK]
                indexes._add(int(code), keys[chunk], matrix[chunk], threads=threads)
        return indexes

    def _add(self, code: int, keys: np.ndarray, rows: np.ndarray, *, threads: int = 0) -> None:
        index = self.by_code.get(code)
        if index is None:
            index = self.by_code[code] = new_index(self.dimensions)
        index.add(
            np.asarray(keys, dtype=np.uint64), np.asarray(rows, dtype=np.float32), threads=threads
        )

    def update(
        self, remove: Iterable[int], keys: np.ndarray, codes: np.ndarray, rows: np.ndarray
    ) -> None:
        """Take the ``remove`` keys out of every graph (where present), then add ``rows``
        under ``keys`` to the graphs of ``codes``."""
        gone = np.fromiter(remove, dtype=np.uint64)
        if len(gone):
            for index in self.by_code.values():
                present = np.asarray(index.contains(gone), dtype=bool).reshape(-1)
                if present.any():
                    index.remove(gone[present])
        for code in np.unique(codes):
            chosen = codes == code
            self._add(int(code), keys[chosen], rows[chosen])

    def search(self, code: int, query: np.ndarray, count: int) -> np.ndarray:
        """The keys of the ``count`` nearest entries of the graph of ``code`` (fewer when
        it has fewer), best first."""
        index = self.by_code.get(code)
        if index is None or len(index) == 0:
            return np.zeros(0, dtype=np.int64)
        return np.asarray(index.search(query, count).keys, dtype=np.int64)

    def __len__(self) -> int:
        return sum(len(index) for index in self.by_code.values())

    @property
    def memory_usage(self) -> int:
        return sum(int(index.memory_usage) for index in self.by_code.values())


def nearest_rows_ann(
    matrix: np.ndarray,
    query: np.ndarray,
    limit: int,
    *,
    codes: Iterable[int],
    allowed: np.ndarray,
    candidates: Callable[[int, np.ndarray, int], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """(row indices, cosine similarities) of the ``limit`` allowed rows closest to ``query``,
    best first, as ``insights.retrieval.nearest_rows`` answers exactly.

    ``candidates(code, query, count)``: the matrix rows of the ``count`` nearest entries of
    that kind's graph (-1 for a key with no row); ``codes``: the kinds wanted; ``allowed``:
    the mask of rows that may be returned (kinds, exclusions, emptied rows)."""
    if limit <= 0 or len(allowed) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    q = np.asarray(query, dtype=np.float32).reshape(-1)
    found: list[np.ndarray] = []
    first = min(limit * OVERSAMPLE, limit + EXTRA_AT_MOST)
    for code in codes:
        count = first
        while True:
            proposed = candidates(code, q, count)
            rows = proposed[(proposed >= 0) & (proposed < len(allowed))]
            rows = rows[allowed[rows]]
            # Widen when the mask took more than half of the extra candidates.
            if len(rows) >= (first + limit) // 2 or len(proposed) < count:
                break
            count *= 4
        found.append(rows)
    rows = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    if not len(rows):
        return rows.astype(np.int64), np.zeros(0, dtype=np.float32)
    block = matrix[rows]
    if len(rows) > 2 * limit:
        # Rank every candidate with a float16 kernel (NumPy's float16 → float32 conversion
        # costs ~17 ms for 4,000 rows here, this ~0.4 ms), then score the best 2 × limit
        # exactly: the similarities returned are brute force's to the last bit.
        keep = np.argsort(-_dot16(block, q), kind="stable")[: 2 * limit]
        rows, block = rows[keep], block[keep]
    scores = np.asarray(block, dtype=np.float32) @ q
    order = np.argsort(-scores, kind="stable")[:limit]
    return rows[order].astype(np.int64), scores[order]


def _dot16(block: np.ndarray, q: np.ndarray) -> np.ndarray:
    if block.dtype != np.float16:
        return np.asarray(block, dtype=np.float32) @ q
    import numkong

    dots = numkong.cdist(q.astype(np.float16)[None, :], block, metric="dot")
    return np.asarray(dots, dtype=np.float32).reshape(-1)

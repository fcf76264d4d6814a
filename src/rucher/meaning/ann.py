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

import json
import os
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

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


def _parameters() -> dict[str, Any]:
    return {
        "connectivity": CONNECTIVITY,
        "expansion_add": EXPANSION_ADD,
        "dtype": INDEX_DTYPE,
        "metric": "cos",
    }


def fingerprints(rows: np.ndarray) -> np.ndarray:
    """A 64-bit fingerprint of each float16 row's bytes (a fixed random linear hash, in
    chunks): equal rows, equal prints; a changed row almost surely another print."""
    rows = np.ascontiguousarray(rows, dtype=np.float16)
    words = rows.view(np.uint64).reshape(len(rows), -1)
    weights = np.random.default_rng(20261207).integers(
        1, 2**63, size=words.shape[1], dtype=np.uint64
    ) | np.uint64(1)
    prints = np.empty(len(rows), dtype=np.uint64)
    for start in range(0, len(rows), 16_384):
        block = words[start : start + 16_384]
        prints[start : start + len(block)] = (block * weights).sum(axis=1, dtype=np.uint64)
    return prints


class Entries(NamedTuple):
    """What an index holds: content ids, kind codes, fingerprints of the vectors."""

    keys: np.ndarray
    codes: np.ndarray
    prints: np.ndarray

    @classmethod
    def join(cls, parts: list[Entries]) -> Entries:
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty.astype(np.uint8), empty.astype(np.uint64))
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in cls._fields))

    def stale_against(self, current: Entries) -> set[int]:
        """The keys to re-index so that an index holding ``self`` holds ``current``:
        changed (other print or kind), new, and gone."""
        if not len(self.keys):
            return set(current.keys.tolist())
        order = np.argsort(self.keys, kind="stable")
        keys, codes, prints = self.keys[order], self.codes[order], self.prints[order]
        at = np.minimum(np.searchsorted(keys, current.keys), len(keys) - 1)
        same = (
            (keys[at] == current.keys)
            & (codes[at] == current.codes)
            & (prints[at] == current.prints)
        )
        gone = np.setdiff1d(keys, current.keys, assume_unique=True)
        return set(current.keys[~same].tolist()) | set(gone.tolist())


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
    ) -> tuple[Indexes, Entries]:
        """Index row ``i`` of ``matrix`` under ``keys[i]`` in the graph of ``codes[i]``
        (rows of code ``skip``, the empty ones, left out). Also returns what was indexed:
        keys, codes and the fingerprint of the very bytes added (a row overwritten while
        it was read gets the fingerprint of what the graph holds, not of the new row)."""
        indexes = cls(matrix.shape[1])
        indexed: list[Entries] = []
        for code in np.unique(codes):
            if int(code) == skip:
                continue
            rows = np.flatnonzero(codes == code)
            for start in range(0, len(rows), BUILD_CHUNK):
                chunk = rows[start : start + BUILD_CHUNK]
                block = np.array(matrix[chunk])  # a copy: what is added is what is printed
                indexes._add(int(code), keys[chunk], block, threads=threads)
                indexed.append(Entries(keys[chunk], codes[chunk], fingerprints(block)))
        return indexes, Entries.join(indexed)

    def save(self, directory: Path, entries: Entries) -> None:
        """Write the graphs and ``entries`` (what they hold) under ``directory``; the
        manifest is replaced last, atomically, so a reader sees a whole set or none."""
        directory.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex
        for code, index in self.by_code.items():
            index.save(str(directory / f"{token}-graph-{code}.usearch"))
        with open(directory / f"{token}-entries.npz", "wb") as file:
            np.savez(file, keys=entries.keys, codes=entries.codes, prints=entries.prints)
        manifest = {"format": 1, "token": token, "dimensions": self.dimensions}
        manifest |= {"codes": sorted(self.by_code), "parameters": _parameters()}
        temporary = directory / f"manifest.{token}.tmp"
        temporary.write_text(json.dumps(manifest))
        os.replace(temporary, directory / "manifest.json")
        for path in directory.iterdir():  # earlier sets (best effort)
            if not path.name.startswith((token, "manifest.json", "build.lock")):
                path.unlink(missing_ok=True)

    @classmethod
    def load(cls, directory: Path, dimensions: int) -> tuple[Indexes, Entries] | None:
        """The set saved under ``directory``, or None (none, another shape or other
        parameters, unreadable)."""
        from usearch.index import Index

        try:
            manifest = json.loads((directory / "manifest.json").read_text())
            if (
                manifest.get("format") != 1
                or manifest.get("dimensions") != dimensions
                or manifest.get("parameters") != _parameters()
            ):
                return None
            token = manifest["token"]
            indexes = cls(dimensions)
            for code in manifest["codes"]:
                index = Index.restore(str(directory / f"{token}-graph-{code}.usearch"))
                if index is None:
                    return None
                indexes.by_code[int(code)] = index
            with np.load(directory / f"{token}-entries.npz") as saved:
                entries = Entries(saved["keys"], saved["codes"], saved["prints"])
        except (OSError, ValueError, KeyError, RuntimeError):
            return None
        return indexes, entries

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
    pending: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(row indices, cosine similarities) of the ``limit`` allowed rows closest to ``query``,
    best first, as ``insights.retrieval.nearest_rows`` answers exactly.

    ``candidates(code, query, count)``: the matrix rows of the ``count`` nearest entries of
    that kind's graph (-1 for a key with no row); ``codes``: the kinds wanted; ``allowed``:
    the mask of rows that may be returned (kinds, exclusions, emptied rows); ``pending``:
    rows whose entry in the index is not up to date yet, candidates whatever it says."""
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
    if pending is not None and len(pending):
        pending = pending[(pending >= 0) & (pending < len(allowed))]
        found.append(pending[allowed[pending]])
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

"""The in-process matrix of every stored vector, kept fresh cheaply.

Each nearest-neighbour call first asks the database for the rows changed since the last look
(``changed_at >= seen_until``, an indexed range that is empty most of the time) and patches
the matrix in place: a changed row overwrites its slot, a tombstone empties it, a new row is
appended (capacity doubles, so appending is amortised). Every ``FULL_RELOAD_SECONDS`` every
row is read again and patched in place, which also catches a row whose ``changed_at`` came
from a clock behind ours and a row deleted with its item. Memory: 1 KiB per item (512 ×
float16), see docs/performance.md.

From ``RUCHER_MEANING_ANN_MIN_ITEMS`` vectors on, an approximate index (ann.py) is built
beside the matrix and patched from the same changes, under the same lock, before any query
reads it: an id added, changed, emptied or gone is re-indexed on the first query after the
database says so, exactly when the matrix sees it.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings

from rucher.meaning.ann import Entries, Indexes, fingerprints
from rucher.meaning.models import ContentVector
from rucher.meaning.vectors import DIMENSIONS, STORED_DTYPE

FULL_RELOAD_SECONDS = 600
# Re-read the last moment too: rows written in the same instant as the last look are not
# missed (patching a row twice is harmless).
OVERLAP = timedelta(seconds=2)
KINDS = ("post", "comment", "question", "answer", "poll")
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
EMPTY = 255  # the kind code of a slot with no vector (dropped)
# Index entries patched per call at most (≈ 0.1–0.4 s on this machine, docs/performance.md).
PATCH_PER_CALL = 256

logger = logging.getLogger(__name__)


class VectorMatrix:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation = 0
        self.clear()

    def clear(self) -> None:
        self.matrix = np.zeros((0, DIMENSIONS), dtype=STORED_DTYPE)
        self.ids = np.zeros(0, dtype=np.int64)
        self.kinds = np.zeros(0, dtype=np.uint8)
        self.size = 0
        self.slot: dict[int, int] = {}
        self.seen_until: datetime | None = None
        self.loaded_at = -float("inf")
        # The approximate index (ann.py) of a large store, and the content ids whose entry
        # in it is out of date: ``stale`` for the index in use, ``stale_for_build`` for the
        # one being built (every row changed after its build started).
        self.generation += 1  # a build started before a clear() is thrown away
        self.ann: Indexes | None = None
        self.building = False
        self.stale: set[int] = set()
        self.stale_for_build: set[int] = set()
        self.removed_since_build = 0
        self.build_failed_at = -float("inf")

    # --- reading --------------------------------------------------------------------------

    def snapshot(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(matrix, ids, kind codes) of the used rows, fresh from the database."""
        with self.lock:
            self._refresh()
            n = self.size
            return self.matrix[:n], self.ids[:n], self.kinds[:n]

    def vector_of(self, content_id: int, *, refresh: bool = True) -> np.ndarray | None:
        """The item's vector (float32), or None; ``refresh=False`` right after a
        ``snapshot()`` saves the second look at the database."""
        with self.lock:
            if refresh:
                self._refresh()
            slot = self.slot.get(content_id)
            if slot is None or self.kinds[slot] == EMPTY:
                return None
            return self.matrix[slot].astype(np.float32)

    def candidates(self, code: int, query: np.ndarray, count: int) -> np.ndarray:
        """Matrix rows of the ``count`` entries of kind ``code`` nearest to ``query`` in the
        approximate index (-1 for an id with no row); nothing without an index."""
        with self.lock:
            if self.ann is None:
                return np.zeros(0, dtype=np.int64)
            keys = self.ann.search(code, query, count)
            slot = self.slot
            return np.fromiter((slot.get(int(k), -1) for k in keys), np.int64, len(keys))

    # --- keeping fresh --------------------------------------------------------------------

    def _refresh(self) -> None:
        rows = ContentVector.objects.order_by("changed_at", "content_id")
        seen: np.ndarray | None = None
        latest = self.seen_until
        if time.monotonic() - self.loaded_at > FULL_RELOAD_SECONDS:
            # Every row again, patched in place (an unchanged row costs a comparison, and
            # the approximate index keeps what it has); a row gone from the table (its item
            # deleted for good) empties its slot.
            self.loaded_at = time.monotonic()
            seen = np.zeros(self.size, dtype=bool)
            latest = None
        elif self.seen_until is not None:
            rows = rows.filter(changed_at__gte=self.seen_until - OVERLAP)
        for content_id, kind, vector, changed_at in rows.values_list(
            "content_id", "kind", "vector", "changed_at"
        ).iterator(chunk_size=10_000):
            slot = self._apply(content_id, kind, vector)
            if seen is not None and slot is not None and slot < len(seen):
                seen[slot] = True
            latest = changed_at if latest is None or changed_at > latest else latest
        if seen is not None:
            for gone in np.flatnonzero(~seen & (self.kinds[: len(seen)] != EMPTY)):
                self._empty(int(gone))
        self.seen_until = latest
        self._keep_index()

    def _apply(self, content_id: int, kind: str, vector: bytes | memoryview) -> int | None:
        slot = self.slot.get(content_id)
        if not vector:
            if slot is not None and self.kinds[slot] != EMPTY:
                self._empty(slot)
            return slot
        data = bytes(vector)
        code = KIND_CODE.get(kind, EMPTY)
        if slot is None:
            slot = self._append(content_id)
        elif self.kinds[slot] == code and self.matrix[slot].tobytes() == data:
            return slot  # unchanged (a full reload, or a row read twice)
        self.matrix[slot] = np.frombuffer(data, dtype=STORED_DTYPE)
        self.kinds[slot] = code
        self._mark(content_id)
        return slot

    def _empty(self, slot: int) -> None:
        self.kinds[slot] = EMPTY
        self.matrix[slot] = 0
        self._mark(int(self.ids[slot]))

    def _mark(self, content_id: int) -> None:
        if self.ann is not None:
            self.stale.add(content_id)
        if self.building:
            self.stale_for_build.add(content_id)

    def _append(self, content_id: int) -> int:
        if self.size == len(self.ids):
            capacity = max(1024, 2 * len(self.ids))
            matrix = np.zeros((capacity, DIMENSIONS), dtype=STORED_DTYPE)
            matrix[: self.size] = self.matrix[: self.size]
            ids = np.zeros(capacity, dtype=np.int64)
            ids[: self.size] = self.ids[: self.size]
            kinds = np.full(capacity, EMPTY, dtype=np.uint8)
            kinds[: self.size] = self.kinds[: self.size]
            self.matrix, self.ids, self.kinds = matrix, ids, kinds
        slot = self.size
        self.ids[slot] = content_id
        self.slot[content_id] = slot
        self.size += 1
        return slot

    # --- the approximate index of a large store ---------------------------------------------

    def _keep_index(self) -> None:
        """Bring the index up to date with the rows just patched, ``PATCH_PER_CALL`` ids at
        a time (a bulk change, ``rucher embed`` say, never stalls one query: the ids still
        waiting are scored exactly beside the index's candidates, see ``pending_rows``).
        Start building an index when the store has grown past the threshold, or again when
        a quarter of it waits, or after as many changes as half its entries (HNSW removals
        leave holes). A build that failed is tried again after ``FULL_RELOAD_SECONDS``; an
        index that could not be patched is dropped (brute force answers: slower, never
        wrong)."""
        self._patch_some()
        if self.building or time.monotonic() - self.build_failed_at < FULL_RELOAD_SECONDS:
            return
        if self.ann is None:
            threshold = settings.RUCHER_MEANING_ANN_MIN_ITEMS
            if self.size >= threshold and np.count_nonzero(self.kinds[: self.size] != EMPTY) >= (
                threshold
            ):
                self._start_build()
        elif (
            self.removed_since_build > max(len(self.ann), 1) // 2
            or len(self.stale) > max(len(self.ann), PATCH_PER_CALL) // 4
        ):
            self._start_build()

    def _patch_some(self) -> None:
        if self.ann is None or not self.stale:
            return
        if len(self.stale) <= PATCH_PER_CALL:
            batch, self.stale = self.stale, set()
        else:
            batch = {self.stale.pop() for _ in range(PATCH_PER_CALL)}
        try:
            self._update(self.ann, batch)
        except Exception:
            logger.exception("patching the approximate nearest-neighbour index failed")
            self.ann, self.stale, self.build_failed_at = None, set(), time.monotonic()

    def pending_rows(self) -> np.ndarray:
        """Matrix rows whose entry in the index is not up to date yet (scored exactly)."""
        with self.lock:
            slot = self.slot
            found = (slot.get(content_id, -1) for content_id in self.stale)
            return np.fromiter(found, np.int64, len(self.stale))

    def _update(self, index: Indexes, content_ids: set[int]) -> None:
        live = [
            (content_id, slot)
            for content_id in content_ids
            if (slot := self.slot.get(content_id)) is not None and self.kinds[slot] != EMPTY
        ]
        slots = np.array([slot for _id, slot in live], dtype=np.int64)
        keys = np.array([content_id for content_id, _slot in live], dtype=np.int64)
        index.update(content_ids, keys, self.kinds[slots], self.matrix[slots])
        self.removed_since_build += len(content_ids)

    def _start_build(self) -> None:
        """Index the rows as they are now; every row changed meanwhile is re-indexed when the
        build is installed. In a background thread (brute force answers until then) unless
        ``RUCHER_MEANING_ANN_BACKGROUND`` is off.

        With ``RUCHER_MEANING_ANN_DIR`` set, a set saved there by an earlier build (this
        process's or another's) is loaded instead of building, then reconciled with the
        database at install: every id whose kind or vector fingerprint differs, or that is
        new or gone, is re-indexed. A fresh build is saved there for the next start, under a
        file lock: web processes started together build once, not once each."""
        self.building = True
        self.stale_for_build = set()
        generation, n = self.generation, self.size
        keys, codes = self.ids[:n].copy(), self.kinds[:n].copy()
        # The rows are read in place (no 1 GB copy): a row overwritten during the build may
        # be indexed torn, but its id is in ``stale_for_build`` and indexed again at install.
        matrix = self.matrix
        directory: Path | None = settings.RUCHER_MEANING_ANN_DIR
        # Only a process's first index may come from disk: a rebuild is wanted because the
        # one in use has drifted, and the saved set is at least as old.
        may_load = self.ann is None

        def build() -> tuple[Indexes, Entries | None] | None:
            if directory is None:
                return build_here()
            try:
                directory.mkdir(parents=True, exist_ok=True)
                lock = open(directory / "build.lock", "a")  # noqa: SIM115 (held below)
            except OSError:
                return build_here()
            with lock:
                # One process of the data directory builds at a time; the others wait here
                # (brute force answering) and then load what it saved.
                fcntl.flock(lock, fcntl.LOCK_EX)
                loaded = Indexes.load(directory, DIMENSIONS) if may_load else None
                if loaded is not None:
                    return loaded  # its entries are reconciled at install
                return build_here()

        def build_here() -> tuple[Indexes, Entries | None] | None:
            try:
                built, entries = Indexes.build(keys, codes, matrix[:n], skip=EMPTY)
            except Exception:  # never break the pages: brute force keeps answering
                logger.exception("building the approximate nearest-neighbour index failed")
                return None
            if directory is not None:
                try:
                    built.save(directory, entries)
                except OSError:
                    logger.warning("could not save the nearest-neighbour index", exc_info=True)
            return built, None

        if not settings.RUCHER_MEANING_ANN_BACKGROUND:
            self._install(generation, build())
            return

        def in_background() -> None:
            built = build()
            with self.lock:
                self._install(generation, built)

        threading.Thread(target=in_background, name="rucher-meaning-ann", daemon=True).start()

    def _install(self, generation: int, built: tuple[Indexes, Entries | None] | None) -> None:
        if generation != self.generation:
            return  # cleared meanwhile
        self.building = False
        if built is None:
            self.build_failed_at = time.monotonic()
            return
        index, saved = built
        stale = self.stale_for_build
        if saved is not None:  # loaded from disk: whatever differs from the database
            n = self.size
            live = self.kinds[:n] != EMPTY
            current = Entries(
                self.ids[:n][live], self.kinds[:n][live], fingerprints(self.matrix[:n])[live]
            )
            stale |= saved.stale_against(current)
        self.ann, self.stale, self.stale_for_build = index, stale, set()
        self.removed_since_build = 0
        self._patch_some()


vectors = VectorMatrix()


def reset() -> None:
    """Forget everything (tests; after a restore): the next call reloads from the database."""
    with vectors.lock:
        vectors.clear()

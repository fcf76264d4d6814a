"""The in-process matrix of every stored vector, kept fresh cheaply.

Each nearest-neighbour call first asks the database for the rows changed since the last look
(``changed_at >= seen_until``, an indexed range that is empty most of the time) and patches
the matrix in place: a changed row overwrites its slot, a tombstone empties it, a new row is
appended (capacity doubles, so appending is amortised). Every ``FULL_RELOAD_SECONDS`` the
matrix is rebuilt from scratch, which also catches a row whose ``changed_at`` came from a
clock behind ours. Memory: 1 KiB per item (512 × float16), see docs/performance.md.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import numpy as np

from rucher.meaning.models import ContentVector
from rucher.meaning.vectors import DIMENSIONS, STORED_DTYPE

FULL_RELOAD_SECONDS = 600
# Re-read the last moment too: rows written in the same instant as the last look are not
# missed (patching a row twice is harmless).
OVERLAP = timedelta(seconds=2)
KINDS = ("post", "comment", "question", "answer", "poll")
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
EMPTY = 255  # the kind code of a slot with no vector (dropped)


class VectorMatrix:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        self.matrix = np.zeros((0, DIMENSIONS), dtype=STORED_DTYPE)
        self.ids = np.zeros(0, dtype=np.int64)
        self.kinds = np.zeros(0, dtype=np.uint8)
        self.size = 0
        self.slot: dict[int, int] = {}
        self.seen_until: datetime | None = None
        self.loaded_at = -float("inf")

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

    # --- keeping fresh --------------------------------------------------------------------

    def _refresh(self) -> None:
        if time.monotonic() - self.loaded_at > FULL_RELOAD_SECONDS:
            self.clear()
            self.loaded_at = time.monotonic()
        rows = ContentVector.objects.order_by("changed_at", "content_id")
        if self.seen_until is not None:
            rows = rows.filter(changed_at__gte=self.seen_until - OVERLAP)
        latest = self.seen_until
        for content_id, kind, vector, changed_at in rows.values_list(
            "content_id", "kind", "vector", "changed_at"
        ).iterator(chunk_size=10_000):
            self._apply(content_id, kind, vector)
            latest = changed_at if latest is None or changed_at > latest else latest
        self.seen_until = latest

    def _apply(self, content_id: int, kind: str, vector: bytes | memoryview) -> None:
        slot = self.slot.get(content_id)
        if not vector:
            if slot is not None:
                self.kinds[slot] = EMPTY
                self.matrix[slot] = 0
            return
        if slot is None:
            slot = self._append(content_id)
        self.matrix[slot] = np.frombuffer(bytes(vector), dtype=STORED_DTYPE)
        self.kinds[slot] = KIND_CODE.get(kind, EMPTY)

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


vectors = VectorMatrix()


def reset() -> None:
    """Forget everything (tests; after a restore): the next call reloads from the database."""
    with vectors.lock:
        vectors.clear()

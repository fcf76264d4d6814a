"""The report cache: keyed by the data's fingerprint and the report's parameters.

The fingerprint is the latest event (id and time), the latest content (id and time) and the
row counts of the four tables, so an appended event, a new content item, an import or a
deletion all change the key and the stale report is never served again.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

from rucher.insights.contract import Dataset

MAX_ENTRIES = 16


def _isoformat(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def fingerprint(dataset: Dataset) -> dict[str, Any]:
    """Row counts, the latest event and content and the scored sentiments, as JSON-ready
    values."""
    events, content = dataset.events, dataset.content
    return {
        "people": dataset.people.height,
        "spaces": dataset.spaces.height,
        "content": content.height,
        "events": events.height,
        "latest_event_id": events.get_column("event_id").max(),
        "latest_event_at": _isoformat(events.get_column("at").max()),
        "latest_content_id": content.get_column("content_id").max(),
        "latest_content_at": _isoformat(content.get_column("created_at").max()),
        # Scores stored after the fact (``rucher sentiment backfill``, the demo's background
        # pass) change the opinion figures without any new event or content.
        "sentiment_scored": (
            content.height - content.get_column("sentiment").null_count()
            if "sentiment" in content.columns
            else 0
        ),
    }


def cache_key(dataset_key: str, dataset: Dataset, parameters: dict[str, Any]) -> str:
    """A stable hash of the dataset's name, its fingerprint and the parameters."""
    payload = {"dataset": dataset_key, "data": fingerprint(dataset), "parameters": parameters}
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class ReportCache:
    """A small thread-safe LRU of reports (the web process may ask from several threads)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError("a cache holds at least one entry")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: str, report: dict[str, Any]) -> None:
        with self._lock:
            self._entries[key] = report
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


DEFAULT_CACHE = ReportCache()

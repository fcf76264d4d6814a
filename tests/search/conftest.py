"""The index follows writes through the after-commit door: ``index_now`` hands every event
appended since its last call to the search subscriber, as the worker would (the subscriber
is looked up by verb, so a verb it does not follow changes nothing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.activity.subscribers import subscribers_for
from rucher.search.indexing import SUBSCRIBER


@pytest.fixture
def index_now(db: Any) -> Callable[[], int]:
    seen = {"last": 0}

    def run() -> int:
        events = list(Event.objects.filter(id__gt=seen["last"]).order_by("id"))
        handled = 0
        for event in events:
            seen["last"] = event.pk
            for subscriber in subscribers_for(event.verb):
                if subscriber.name == SUBSCRIBER:
                    subscriber.handler(event)
                    handled += 1
        return handled

    return run


@pytest.fixture
def find(db: Any) -> Callable[..., list[tuple[str, int]]]:
    """``find(person, "text", **filters)``: (kind, id) of every result, in order."""
    from rucher.search.queries import parse_filters, search

    def run(person: Any, text: str, **filters: Any) -> list[tuple[str, int]]:
        page = search(person, text, parse_filters(person, **filters), limit=50)
        return [(item.kind, item.object_id) for item in page.items]

    return run

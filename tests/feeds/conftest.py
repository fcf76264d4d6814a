"""Fixtures of the feed tests: a feed key, and a reader that fetches and parses a feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import feedparser
import pytest
from django.test import Client

from rucher.feeds.actions import create_feed_key
from rucher.feeds.links import feed_path


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """The tests assert the English source messages (French has its own test)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def key_of(db: Any) -> Callable[[Any], str]:
    """A fresh feed key for a person."""

    def make(person: Any) -> str:
        return create_feed_key(person)[1]

    return make


@pytest.fixture
def fetch(db: Any) -> Callable[..., Any]:
    """GET one feed (no session: a feed reader) and parse it with feedparser; a non-200
    answer is returned as the response itself."""

    def get(key: str, kind: str, name: str = "", fmt: str = "atom", **headers: Any) -> Any:
        response = Client().get(feed_path(key, kind, name, fmt), headers=headers)
        if response.status_code != 200:
            return response
        parsed = feedparser.parse(response.content)
        parsed["response"] = response
        parsed["status_code"] = response.status_code
        return parsed

    return get

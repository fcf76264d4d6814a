"""Absolute links: in a feed reader nothing is relative to rucher (``RUCHER_BASE_URL``)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

KINDS = ("home", "space", "topic")


def absolute(path: str) -> str:
    return str(settings.RUCHER_BASE_URL).rstrip("/") + path


def feed_path(key: str, kind: str, name: str = "", fmt: str = "atom") -> str:
    """The path of one of a key's feeds: ``kind`` is home, space (``name`` = the slug) or
    topic (``name`` = the topic)."""
    if kind == "home":
        return reverse("feeds:home", kwargs={"key": key, "fmt": fmt})
    argument = "name" if kind == "topic" else "slug"
    return reverse(f"feeds:{kind}", kwargs={"key": key, "fmt": fmt, argument: name})


def feed_url(key: str, kind: str, name: str = "", fmt: str = "atom") -> str:
    return absolute(feed_path(key, kind, name, fmt))

"""What every page's header and navigation column need beyond the request: the bell's unread
count and the person's spaces with their unread marks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from rucher.notifications.queries import my_spaces, unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """``unread_notifications``: read once, when a template first uses it (one query for a
    signed-in person, none for anonymous visitors or pages without the header).
    ``nav_spaces``: the navigation column's "my spaces", each with ``unread`` (one query, when
    the column is shown)."""
    person = getattr(request, "user", None)
    if person is None:
        return {"unread_notifications": 0, "nav_spaces": []}
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(person)),
        "nav_spaces": SimpleLazyObject(lambda: my_spaces(person)),
    }

"""What every page's header needs beyond the request: the bell's unread count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from rucher.notifications.queries import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """``unread_notifications``: read once, when a template first uses it (one query for a
    signed-in person, none for anonymous visitors or pages without the header)."""
    person = getattr(request, "user", None)
    if person is None:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(person))}

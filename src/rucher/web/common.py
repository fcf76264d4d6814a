"""Pieces shared by the web views: the reader's postable spaces and stream filters."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from rucher.errors import Invalid
from rucher.paging import MAX_ID
from rucher.people.models import Person
from rucher.streams.queries import StreamFilters


def parse_id(value: Any, what: str | None = None) -> int:
    """A positive id a database column holds, or Invalid; ``what`` names the field in the
    message (callers pass it already translated)."""
    field = {"field": what or _("identifier")}
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(_("%(field)s must be a whole number") % field) from None
    if number <= 0:
        raise Invalid(_("%(field)s must be positive") % field)
    if number > MAX_ID:
        raise Invalid(_("%(field)s is too large") % field)
    return number


def stream_filters(request: HttpRequest, with_space: bool = True) -> StreamFilters:
    """kind, topic and space from the query string (bad values -> Invalid, a 422)."""
    space_raw = request.GET.get("space") or ""
    return StreamFilters(
        kind=request.GET.get("kind") or None,
        topic=(request.GET.get("topic") or "").strip() or None,
        space_id=parse_id(space_raw, _("space")) if (with_space and space_raw) else None,
    )


def user(request: HttpRequest) -> Person:
    """The signed-in person (views are all behind login_required)."""
    person = request.user
    assert isinstance(person, Person)
    return person


def is_htmx(request: HttpRequest) -> bool:
    """True for requests made by htmx (django-htmx sets ``request.htmx``)."""
    return bool(getattr(request, "htmx", False))


def confirmed(request: HttpRequest) -> bool:
    """The author confirmed publishing despite the sensitive-data warning (the composer's
    "Publish anyway" button sends ``confirm_sensitive=1``)."""
    return request.POST.get("confirm_sensitive") == "1"

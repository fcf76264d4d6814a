"""Page sizes and cursors: the one definition for every paged list (streams on the web and
the API, the API's keyset lists of spaces and people).

It sits at the bottom of the layers (Django settings and ``rucher.errors`` only), so the
streams domain and the API both call it without a domain importing an interface.

- A page holds ``RUCHER_STREAM_PAGE_SIZE`` items by default, 1 to
  ``RUCHER_STREAM_MAX_PAGE_SIZE`` on request; anything else is ``Invalid`` (a 422).
- A cursor is the sort key of the last item served, as a URL-safe base64 JSON list whose last
  value is the item's id (a positive integer a database column can hold) and whose other
  values are strings. A cursor that does not decode to that shape is ``Invalid`` (a 422,
  never a 500): cursors come from the client and may be forged.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from rucher import text
from rucher.errors import Invalid

MAX_ID = 2**63 - 1  # the largest id a database column holds


def page_size(limit: Any) -> int:
    """The number of items a page serves: the default, or a valid ``limit``."""
    if limit is None:
        return int(settings.RUCHER_STREAM_PAGE_SIZE)
    maximum = int(settings.RUCHER_STREAM_MAX_PAGE_SIZE)
    if isinstance(limit, bool):
        raise Invalid(_("limit must be a whole number"))
    try:
        size = int(limit)
    except (TypeError, ValueError, OverflowError):
        raise Invalid(_("limit must be a whole number")) from None
    if not 1 <= size <= maximum:
        raise Invalid(_("limit must be between 1 and %(max)s") % {"max": maximum})
    return size


def invalid_cursor() -> Invalid:
    return Invalid(_("invalid cursor"))


def encode_cursor(values: Sequence[str | int]) -> str:
    """The cursor after an item: its sort values (strings) then its id."""
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    """The ``width`` values of a cursor (``width - 1`` strings then an id), or ``Invalid``."""
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        values = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise invalid_cursor() from None
    if not isinstance(values, list) or len(values) != width:
        raise invalid_cursor()
    *keys, last_id = values
    if isinstance(last_id, bool) or not isinstance(last_id, int) or not 0 < last_id <= MAX_ID:
        raise invalid_cursor()
    if not all(isinstance(v, str) and text.problem(v) is None for v in keys):
        raise invalid_cursor()
    return values

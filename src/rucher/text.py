"""The rules every piece of text entering rucher obeys, whatever door it comes through (API
schemas, web forms, actions, URL path parameters, importers).

- **NUL bytes and lone surrogates are refused**, never stripped. PostgreSQL cannot store a NUL
  in a text column (``DataError``) and no database can encode a lone surrogate in UTF-8
  (``UnicodeEncodeError``); SQLite would store the NUL. Refusing gives the same answer on both
  databases and tells the sender their text is broken, where stripping would silently store
  something other than what was sent (and make two different requests mean the same thing).
- **Text made only of invisible characters is empty**: whitespace, control and format
  characters (Unicode categories Zs, Zl, Zp, Cc, Cf: zero-width spaces, direction marks, the
  byte-order mark…) and a few letters that draw nothing (the Hangul fillers, the blank Braille
  pattern) do not make a message.

No model and no request (only gettext, for the messages): the domains, the API, the pages
and the importers all import it.
``rucher.errors.Invalid`` is raised by :func:`require`, which actions use; the API's pydantic
types and the forms' validator turn :func:`problem` into their own 422.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

from rucher.errors import Invalid

INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})
# Letters and symbols that render as nothing although their category says otherwise.
INVISIBLE_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_nul(value: str) -> bool:
    return "\x00" in value


def has_lone_surrogate(value: str) -> bool:
    """True when ``value`` holds a surrogate code point on its own (e.g. JSON ``"\\ud800"``):
    a JSON decoder already joins valid pairs into one character, so any left is broken."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def problem(value: str) -> str | None:
    """Why ``value`` cannot be stored, or None. The message is translated."""
    if has_nul(value):
        return _("text cannot contain NUL characters (\\u0000)")
    if has_lone_surrogate(value):
        return _("text cannot contain lone surrogates (invalid Unicode)")
    return None


def is_invisible(char: str) -> bool:
    return char in INVISIBLE_EXTRA or unicodedata.category(char) in INVISIBLE_CATEGORIES


def strip(value: str) -> str:
    """``value`` without invisible characters at either end (``str.strip`` leaves zero-width
    spaces, direction marks and the byte-order mark)."""
    start, end = 0, len(value)
    while start < end and is_invisible(value[start]):
        start += 1
    while end > start and is_invisible(value[end - 1]):
        end -= 1
    return value[start:end]


def is_blank(value: str) -> bool:
    """True when nothing would be seen: empty or only invisible characters."""
    return all(is_invisible(char) for char in value)


def require(value: object, what: str | None = None) -> str:
    """``value`` itself if it is a string that can be stored, else :class:`Invalid` (422).

    For identifiers and search terms (usernames, topic names, tags, filters) that are not
    otherwise cleaned."""
    what = what or _("text")
    if not isinstance(value, str):
        raise Invalid(_("%(field)s must be a string") % {"field": what})
    reason = problem(value)
    if reason is not None:
        raise Invalid(_("%(field)s: %(reason)s") % {"field": what, "reason": reason})
    return value


def clean(value: object, limit: int | None = None, what: str | None = None) -> str:
    """A storable, visible text of at most ``limit`` characters, stripped of invisible
    characters at both ends; else :class:`Invalid` (422)."""
    what = what or _("text")
    value = strip(require(value, what))
    if is_blank(value):
        raise Invalid(_("%(field)s cannot be empty") % {"field": what})
    if limit is not None and len(value) > limit:
        raise Invalid(
            _("%(field)s has at most %(limit)s characters (%(given)s given)")
            % {"field": what, "limit": limit, "given": len(value)}
        )
    return value


def scrub(value: str) -> str:
    """For bulk importers only: ``value`` with NUL bytes removed and lone surrogates replaced
    by U+FFFD. A file cannot be asked to send its text again, and refusing a whole dataset for
    one broken message would be worse; the loader counts what it repaired in its report."""
    if problem(value) is None:
        return value
    return "".join(
        "\ufffd" if "\ud800" <= char <= "\udfff" else char for char in value if char != "\x00"
    )

"""Text helpers of the sensitive-data detectors: accent folding that keeps offsets, masking.

Pure: no Django, no rucher app.
"""

from __future__ import annotations

import re
import unicodedata

BULLET = "•"

# Accented Latin letters to their base letter, one character for one character, so that a
# match in the folded text has the same offsets in the original one. Case is left to
# re.IGNORECASE. Characters outside the table are left as they are.
_FOLD_TABLE: dict[int, str] = {}
for _code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
    _char = chr(_code)
    _base = "".join(
        c for c in unicodedata.normalize("NFD", _char) if not unicodedata.combining(c)
    )
    if len(_base) == 1 and _base != _char:
        _FOLD_TABLE[_code] = _base
for _quote in "’ʼ‘`´":
    _FOLD_TABLE[ord(_quote)] = "'"
for _space in "\u00a0\u202f\u2007\u2009":
    _FOLD_TABLE[ord(_space)] = " "
for _dash in "‐‑‒–—":
    _FOLD_TABLE[ord(_dash)] = "-"

COMBINING = "[\u0300-\u036f]*"


def fold(text: str) -> str:
    """Accents off, typographic quotes, spaces and dashes plain; same length as `text`."""
    return text.translate(_FOLD_TABLE)


def fold_term(term: str) -> str:
    """A watched term as it is compared: accents off (decomposed too), ligatures opened,
    lower case, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", fold(term))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    return " ".join(plain.casefold().split())


def term_pattern(term: str) -> str:
    """The regular expression of one folded term, matched against `fold(text)` with
    re.IGNORECASE: combining accents may follow any letter (decomposed input), "oe"/"ae"
    also match the ligatures, a space matches any run of spaces or a hyphen."""
    parts: list[str] = []
    i = 0
    while i < len(term):
        pair = term[i : i + 2]
        if pair in ("oe", "ae"):
            parts.append(f"(?:{pair}|{'œ' if pair == 'oe' else 'æ'})")
            i += 2
            continue
        char = term[i]
        if char == " ":
            parts.append(r"[\s-]+")
        elif char.isalnum():
            parts.append(re.escape(char) + COMBINING)
        else:
            parts.append(re.escape(char))
        i += 1
    return "".join(parts)


def mask(text: str, keep_start: int = 0, keep_end: int = 0) -> str:
    """Letters and digits replaced by a bullet except the first `keep_start` and the last
    `keep_end` of them; separators (spaces, dashes, dots, @) kept so the shape stays."""
    positions = [i for i, c in enumerate(text) if c.isalnum()]
    shown = set(positions[:keep_start])
    if keep_end:
        shown |= set(positions[-keep_end:])
    return "".join(
        c if (not c.isalnum() or i in shown) else BULLET for i, c in enumerate(text)
    )


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}{BULLET * 3}@{domain}"

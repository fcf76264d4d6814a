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
    _base = "".join(c for c in unicodedata.normalize("NFD", _char) if not unicodedata.combining(c))
    if len(_base) == 1 and _base != _char:
        _FOLD_TABLE[_code] = _base
for _quote in "’ʼ‘`´":
    _FOLD_TABLE[ord(_quote)] = "'"
for _space in "\u00a0\u202f\u2007\u2009":
    _FOLD_TABLE[ord(_space)] = " "
for _dash in "‐‑‒–—":
    _FOLD_TABLE[ord(_dash)] = "-"

_FOLD_LOWER: dict[str, str] = {chr(code): base.lower() for code, base in _FOLD_TABLE.items()}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

COMBINING = "[\u0300-\u036f]*"

Trie = dict[str, "Trie"]


def fold(text: str) -> str:
    """Accents off, typographic quotes, spaces and dashes plain; same length as `text`."""
    return text.translate(_FOLD_TABLE)


def fold_lower(text: str) -> str:
    """`fold(text)` in lower case, same length as `text` (a character whose lower case is
    longer, like "İ", is kept as it is): what word detectors match, without IGNORECASE.
    Only the non-ASCII characters go through the table (a French post has few)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if low.isascii():
        return low
    return _NON_ASCII.sub(lambda m: _FOLD_LOWER.get(m.group(), m.group()), low)


def fold_term(term: str) -> str:
    """A watched term as it is compared: accents off (decomposed too), ligatures opened,
    lower case, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", fold(term))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    return " ".join(fold_lower(plain).split())


def _tokens(term: str) -> list[str]:
    """A folded term cut into the units of its pattern: "oe" and "ae" are one unit (they
    also match the ligatures), any other character is one."""
    out: list[str] = []
    i = 0
    while i < len(term):
        if term[i : i + 2] in ("oe", "ae"):
            out.append(term[i : i + 2])
            i += 2
        else:
            out.append(term[i])
            i += 1
    return out


def _unit_pattern(unit: str) -> str:
    if unit in ("oe", "ae"):
        return f"(?:{unit}|{'œ' if unit == 'oe' else 'æ'})"
    if unit == " ":
        return r"[\s-]+"
    if unit.isalnum():
        return re.escape(unit) + COMBINING
    return re.escape(unit)


def terms_pattern(terms: list[str]) -> str:
    """One regular expression for folded terms, matched against `fold_lower(text)`:
    combining accents may follow any letter (decomposed input), "oe"/"ae" also match the
    ligatures, a space matches any run of spaces or a hyphen. The terms are
    merged into a trie (common prefixes once), so a long list costs little per position;
    a longer term is tried before its prefix."""
    trie: Trie = {}
    for term in terms:
        node = trie
        for unit in _tokens(term):
            node = node.setdefault(unit, {})
        node[""] = {}

    def emit(node: Trie) -> str:
        branches = [_unit_pattern(unit) + emit(child) for unit, child in node.items() if unit]
        if "" in node:
            branches.append("")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(trie)


def mask(text: str, keep_start: int = 0, keep_end: int = 0) -> str:
    """Letters and digits replaced by a bullet except the first `keep_start` and the last
    `keep_end` of them; separators (spaces, dashes, dots, @) kept so the shape stays."""
    positions = [i for i, c in enumerate(text) if c.isalnum()]
    shown = set(positions[:keep_start])
    if keep_end:
        shown |= set(positions[-keep_end:])
    return "".join(c if (not c.isalnum() or i in shown) else BULLET for i, c in enumerate(text))


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}{BULLET * 3}@{domain}"

r"""Watched words: an organisation's or a space's list of words and patterns, checked before
publishing (docs/watched-words.md).

Two match modes:

- ``word``: a whole word (or a few words), compared accent- and case-insensitively on the
  folded text (``text.fold_lower``, same offsets as the original); "l'idiot" and "d’idiot"
  hold the word "idiot" (an apostrophe is not a letter, so the elision ends at a word
  boundary); "idiotie" does not. All plain words of a list are ONE trie-shaped pattern, so
  200 of them cost little more than one.
- ``regex``: a regular expression of the ``regex`` package, case-insensitive, run on the text
  with its accents folded (and the pattern too, so "é" in a pattern matches "é" and "e").
  (Run on the lower-cased folded text: a class of capitals such as ``\p{Lu}`` finds
  nothing; ``[A-Z]`` works, case being ignored.) Validated when saved
  (``validate_pattern``: it must compile, must not match the empty text, and must answer
  adversarial probes within a small budget), and run at publishing time with a timeout: a
  pattern that times out is reported in ``Screening.timed_out`` and the caller fails closed
  (the text is held for review). A pattern whose every match holds a sure run of letters
  (``required_literal``) runs only on texts that contain it.

Pure: no Django, no rucher app.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

import regex

from rucher.sensitive.text import fold, fold_lower, fold_term, terms_pattern

MAX_PATTERN_LENGTH = 200
# Validation: each probe must answer within PROBE_BUDGET (seconds); one that does not is tried
# once more with PROBE_RETRY (a busy machine must not refuse a sound pattern; a catastrophic
# one never answers a 5,000-character probe, whatever the budget).
PROBE_BUDGET = 0.1
PROBE_RETRY = 1.0
PROBE_LENGTH = 5_000
# Publishing: each regular expression gets at most PATTERN_TIMEOUT, and all of them together
# at most TOTAL_TIMEOUT (a text never waits longer than that for its watched words).
PATTERN_TIMEOUT = 0.05
TOTAL_TIMEOUT = 0.2
REGEX_FLAGS = regex.IGNORECASE | regex.VERSION0


class WatchedAction(StrEnum):
    """Ordered by strength: the strongest action among the hits applies (a replacement is
    applied whatever else happens)."""

    REPLACE = "replace"  # published with the word replaced
    FLAG = "flag"  # published, then a review item opens in the moderation queue
    HOLD = "hold"  # held for review, as sensitive data is
    BLOCK = "block"  # refused (422) with the reason

    @property
    def strength(self) -> int:
        return list(WatchedAction).index(self)


class MatchMode(StrEnum):
    WORD = "word"
    REGEX = "regex"


@dataclass(frozen=True)
class WatchedWord:
    id: int
    pattern: str
    mode: MatchMode
    action: WatchedAction
    replacement: str = ""


@dataclass(frozen=True)
class WatchedHit:
    word: WatchedWord
    start: int
    end: int
    matched: str  # the passage as the author wrote it


@dataclass
class Screening:
    hits: list[WatchedHit] = field(default_factory=list)
    timed_out: list[WatchedWord] = field(default_factory=list)

    @property
    def action(self) -> WatchedAction | None:
        actions = [hit.word.action for hit in self.hits]
        return max(actions, key=lambda a: a.strength) if actions else None

    def replaced(self, text: str) -> str:
        """The text with every ``replace`` hit replaced (non-overlapping, first hit wins)."""
        out: list[str] = []
        position = 0
        for hit in sorted(self.hits, key=lambda h: (h.start, -h.end)):
            if hit.word.action != WatchedAction.REPLACE or hit.start < position:
                continue
            out.append(text[position : hit.start])
            out.append(hit.word.replacement or "***")
            position = hit.end
        out.append(text[position:])
        return "".join(out)


def normalise_word(value: str) -> str:
    """A plain watched word as it is stored and compared (folded, lower case, spaces
    collapsed): "Idiot", "idiot " and "ÎDIOT" are the same word (a duplicate)."""
    return fold_term(value)


@lru_cache(maxsize=4096)
def _word_key(matched_folded: str) -> str:
    return fold_term(matched_folded.replace("-", " "))


_INLINE_FLAGS = re.compile(r"\(\?[a-zA-OQ-Z-]")


def required_literal(pattern: str) -> str | None:
    """A run of characters every match of ``pattern`` contains (lower-cased, folded), or
    None when none is sure: the longest run of plain characters at the top level of the
    pattern (Python's own parser reads it; anything it cannot read, or inline flags, gives
    None). A text without it cannot match, so the pattern need not run: a substring search
    costs a microsecond where a guarded regular expression costs ten."""
    folded = fold(pattern)
    if _INLINE_FLAGS.search(folded):
        return None
    try:
        from re import _parser

        items = list(_parser.parse(folded))
    except Exception:  # the regex package's syntax is wider than re's
        return None
    runs: list[str] = []
    current: list[str] = []
    for opcode, argument in items:
        if str(opcode) == "LITERAL":
            current.append(chr(argument))
            continue
        runs.append("".join(current))
        current = []
    runs.append("".join(current))
    best = max(runs, key=len)
    return fold_lower(best) if len(best) >= 2 else None


def compile_regex(pattern: str) -> regex.Pattern[str]:
    return regex.compile(fold(pattern), REGEX_FLAGS)


def _probes(pattern: str) -> Iterable[str]:
    """Inputs that make a backtracking pattern show it: long runs of the characters the
    pattern names (and of common classes), each followed by a character that makes the
    match fail at the very end."""
    letters = {c for c in fold(pattern).lower() if c.isalnum() or c in " -_.,'@"}
    letters |= {"a", "1", " ", "x", "é"}
    for c in sorted(letters):
        yield c * PROBE_LENGTH + "!"
        yield c * PROBE_LENGTH + "\x00"
    yield "ab" * (PROBE_LENGTH // 2) + "!"
    yield "a " * (PROBE_LENGTH // 2) + "!"
    yield "a1" * (PROBE_LENGTH // 2) + "!"


class PatternError(ValueError):
    """Why a pattern cannot be watched; ``code`` says which rule (the caller words it)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def validate_pattern(pattern: str) -> regex.Pattern[str]:
    """The compiled pattern, or PatternError: ``syntax`` (does not compile, with the
    package's message), ``empty_match`` (matches the empty text, so everything), ``slow``
    (adversarial probes exceeded the budget: it backtracks catastrophically)."""
    try:
        compiled = compile_regex(pattern)
    except regex.error as error:
        raise PatternError("syntax", str(error)) from None
    try:
        if compiled.fullmatch("", timeout=PATTERN_TIMEOUT) is not None:
            raise PatternError("empty_match")
    except TimeoutError:
        raise PatternError("slow") from None
    for probe in _probes(pattern):
        try:
            compiled.search(probe, timeout=PROBE_BUDGET)
        except TimeoutError:
            try:
                compiled.search(probe, timeout=PROBE_RETRY)
            except TimeoutError:
                raise PatternError("slow") from None
    return compiled


class WatchList:
    """Words compiled once, then checked against any number of texts."""

    def __init__(self, words: Iterable[WatchedWord]) -> None:
        self.words = list(words)
        self._plain: dict[str, list[WatchedWord]] = {}
        self._regexes: list[tuple[WatchedWord, regex.Pattern[str], str | None]] = []
        for word in self.words:
            if word.mode == MatchMode.WORD:
                key = normalise_word(word.pattern)
                if key:
                    self._plain.setdefault(key, []).append(word)
            else:
                try:
                    compiled = compile_regex(word.pattern)
                except regex.error:  # validated when saved; a bad row must not stop writes
                    continue
                self._regexes.append((word, compiled, required_literal(word.pattern)))
        # The plain words' trie runs on ``re``: measured twice as fast as ``regex`` on it
        # (benchmarks/publish_checks.py), and it is linear by construction (no repetition
        # but the spaces between words, which a letter must follow).
        self._trie: re.Pattern[str] | None = None
        if self._plain:
            body = terms_pattern(sorted(self._plain, key=len, reverse=True))
            self._trie = re.compile(r"(?<!\w)" + body + r"(?!\w)")

    def __len__(self) -> int:
        return len(self.words)

    def check(self, text: str) -> Screening:
        screening = Screening()
        if not self.words or not text:
            return screening
        # One folded copy for both kinds (same offsets as ``text``): accents off, lower case.
        # Regular expressions are case-insensitive anyway; ``fold_lower`` touches only the
        # non-ASCII characters, several times faster than a full translation.
        folded = fold_lower(text)
        if self._trie is not None:
            for match in self._trie.finditer(folded):
                start, end = match.span()
                for word in self._plain.get(_word_key(match.group()), ()):
                    screening.hits.append(WatchedHit(word, start, end, text[start:end]))
        if self._regexes:
            deadline = time.perf_counter() + TOTAL_TIMEOUT
            for word, compiled, literal in self._regexes:
                if literal is not None and literal not in folded:
                    continue
                budget = min(PATTERN_TIMEOUT, deadline - time.perf_counter())
                if budget <= 0:
                    screening.timed_out.append(word)
                    continue
                try:
                    spans = [m.span() for m in compiled.finditer(folded, timeout=budget)]
                except TimeoutError:
                    screening.timed_out.append(word)
                    continue
                for start, end in spans:
                    if end > start:
                        screening.hits.append(WatchedHit(word, start, end, text[start:end]))
        return screening

"""Sensitive data in a text, found before it is published.

`Scanner(config).scan(text)` (or `scan(text, config)`) returns `Finding`s: the kind, where it
is (start, end in the text), the passage masked for display, and the reason as a message key
with its parameters (`messages.describe` says it in English or French).

How each kind is told from look-alikes (docs/moderation.md has the measured precision):

- every number is validated, never only shaped: IBAN by its country's BBAN structure and the
  ISO 13616 mod-97 key (python-stdnum), payment cards by issuer prefix, length and Luhn,
  the NIR by its structure and its 97 key (Corsica 2A/2B), SIRET by Luhn (La Poste's
  exception) and SIREN by Luhn; phone numbers by libphonenumber's validity;
- SIREN (9 digits, 10 % of random 9-digit numbers pass Luhn) needs a word nearby (SIREN,
  SIRET, RCS, immatriculé…); SIRET too unless written in its own grouping (3 3 3 5);
- e-mail addresses and phone numbers are flagged as a list only (`list_threshold` distinct
  ones, 3 by default): one address in a signature is not a leak;
- salary: an amount with a currency (or "k") and a salary word in the same sentence, close by;
- credentials: the published shapes of AWS, GitHub, Slack, Stripe and Google keys, PEM
  private key blocks, connection strings with a password, "password: …"/"mot de passe : …"
  followed by something that looks like a password (not "oublié", not "********");
- confidential terms: the organisation's list, whole words, accent- and case-insensitive.

Every regular expression is linear: a quantified class is anchored by a look-behind on the
same class (a match can only start where a run starts) and no quantifier nests another over
overlapping characters; tests run them on 100,000-character pathological inputs.

Pure: no Django, no rucher app.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siret as stdnum_siret

from rucher.sensitive.messages import describe
from rucher.sensitive.patterns import (
    _AMOUNT,
    _COMPANY_WINDOW,
    _COMPANY_WORD,
    _DIGIT_RUN,
    _EMAIL_DOMAIN,
    _IBAN,
    _KEY_SHAPES,
    _KEY_STEMS,
    _KEYS,
    _LABEL_STEMS,
    _NIR,
    _PEM_BEGIN,
    _PEM_END,
    _PHONE,
    _REFERENCE_BEFORE,
    _RUN_SPLIT,
    _SALARY_AFTER_AMOUNT,
    _SALARY_MARK,
    _SALARY_STEMS,
    _SALARY_WORD,
    _SECRET_LABEL,
    _SECRET_VALUE,
    _SENTENCE_END,
    _URL_PASSWORD,
    _password_like,
    _split_cards,
    _strong,
    _valid_phone,
    luhn_ok,
)
from rucher.sensitive.text import BULLET, fold_lower, fold_term, mask, mask_email, terms_pattern


class Kind(StrEnum):
    IBAN = "iban"
    CARD = "card"
    NIR = "nir"
    SIREN = "siren"
    SIRET = "siret"
    EMAIL_LIST = "email_list"
    PHONE_LIST = "phone_list"
    SALARY = "salary"
    CREDENTIAL = "credential"
    CONFIDENTIAL_TERM = "confidential_term"


ALL_KINDS: frozenset[Kind] = frozenset(Kind)


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    start: int
    end: int
    masked: str
    reason: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    def describe(self, language: str = "en") -> str:
        return describe(self.reason, self.params, language)


@dataclass(frozen=True)
class DetectorConfig:
    """What to look for. Hashable, so a scanner is compiled once per configuration."""

    kinds: frozenset[Kind] = ALL_KINDS
    list_threshold: int = 3
    confidential_terms: tuple[str, ...] = ()
    salary_window: int = 60

    def __post_init__(self) -> None:
        if self.list_threshold < 1:
            raise ValueError("list_threshold must be at least 1")


# --------------------------------------------------------------------------------------------
# The scanner

_PRIORITY = (
    Kind.CREDENTIAL,
    Kind.IBAN,
    Kind.CARD,
    Kind.NIR,
    Kind.SIRET,
    Kind.SIREN,
    Kind.PHONE_LIST,
    Kind.EMAIL_LIST,
    Kind.SALARY,
    Kind.CONFIDENTIAL_TERM,
)


def _in_word(char: str, extra: str = "") -> bool:
    return char.isalnum() or char == "_" or char in extra


def _at_word_start(pattern: re.Pattern[str], text: str, extra: str = "") -> Iterator[re.Match[str]]:
    """The matches of `pattern` that do not start inside a word (the character before is no
    letter, digit, "_" or one of `extra`). Patterns keep their look-behind out of their
    first position, so that `re` can jump to where a match may start; a match rejected here
    is looked for again one character further, as the look-behind would have."""
    pos = 0
    while (match := pattern.search(text, pos)) is not None:
        start = match.start()
        if start and _in_word(text[start - 1], extra):
            pos = start + 1
            continue
        yield match
        pos = max(match.end(), start + 1)


def _local_part_start(text: str, at: int) -> int | None:
    """Where the local part of the address whose "@" is at `at` starts (1 to 64 of
    letters, digits and ._%+-), None when there is none or it is longer."""
    i = at
    while i > 0 and at - i < 64 and _in_word(text[i - 1], ".%+-"):
        i -= 1
    if i == at or (i > 0 and _in_word(text[i - 1], ".%+-")):
        return None
    return i


class _Taken:
    """Spans already claimed by a more specific finding (an IBAN's digits are no card)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        # the spans kept never overlap, so sorted by start they are sorted by end too: only
        # the last one starting before `end` can reach past `start`
        i = bisect_right(self.starts, end - 1)
        return i > 0 and self.ends[i - 1] > start

    def add(self, start: int, end: int) -> None:
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


class _Text:
    """One text being scanned, with what several detectors share, computed once."""

    __slots__ = ("_low", "_runs", "raw")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self._low: str | None = None
        self._runs: list[re.Match[str]] | None = None

    @property
    def low(self) -> str:
        """Accents off, lower case, same offsets: what word detectors match."""
        if self._low is None:
            self._low = fold_lower(self.raw)
        return self._low

    @property
    def runs(self) -> list[re.Match[str]]:
        """The runs of digits (cards, SIREN, SIRET)."""
        if self._runs is None:
            self._runs = list(_DIGIT_RUN.finditer(self.raw))
        return self._runs


class Scanner:
    """The detectors of one configuration, compiled once."""

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        terms = sorted(
            {t for t in (fold_term(raw) for raw in self.config.confidential_terms) if t},
            key=len,
            reverse=True,
        )
        self._terms = (
            re.compile(r"(?:" + terms_pattern(terms) + r")(?![\w\u0300-\u036f])") if terms else None
        )
        runs: dict[Kind, Callable[[_Text, _Taken], list[Finding]]] = {
            Kind.CREDENTIAL: self._credentials,
            Kind.IBAN: self._ibans,
            Kind.CARD: self._cards,
            Kind.NIR: self._nirs,
            Kind.SIRET: self._sirets,
            Kind.SIREN: self._sirens,
            Kind.PHONE_LIST: self._phones,
            Kind.EMAIL_LIST: self._emails,
            Kind.SALARY: self._salaries,
            Kind.CONFIDENTIAL_TERM: self._confidential_terms,
        }
        self._runs = [runs[kind] for kind in _PRIORITY if kind in self.config.kinds]

    def scan(self, text: str) -> list[Finding]:
        taken = _Taken()
        doc = _Text(text)
        findings: list[Finding] = []
        for run in self._runs:
            for finding in run(doc, taken):
                if not taken.overlaps(finding.start, finding.end):
                    findings.append(finding)
                    taken.add(finding.start, finding.end)
        findings.sort(key=lambda f: (f.start, f.end))
        return findings

    # -- numbers -----------------------------------------------------------------------------

    def _ibans(self, doc: _Text, taken: _Taken) -> list[Finding]:
        text = doc.raw
        found = []
        for match in _IBAN.finditer(text):
            raw = match.group()
            # positions of the letters and digits, to cut the longest valid IBAN that ends
            # at a group boundary (an IBAN followed by "BIC …" on the same line)
            alnum = [i for i, c in enumerate(raw) if c.isalnum()]
            compact = "".join(raw[i] for i in alnum).upper()
            for length in range(min(34, len(compact)), 14, -1):
                end = alnum[length - 1] + 1
                if end < len(raw) and raw[end].isalnum():
                    continue
                if stdnum_iban.is_valid(compact[:length], check_country=False):
                    value = raw[:end]
                    found.append(
                        Finding(
                            Kind.IBAN,
                            match.start(),
                            match.start() + end,
                            mask(value, keep_start=4, keep_end=4),
                            "sensitive.iban",
                            {"country": compact[:2]},
                        )
                    )
                    break
        return found

    def _cards(self, doc: _Text, taken: _Taken) -> list[Finding]:
        text = doc.raw
        found = []
        for match in doc.runs:
            run = match.group()
            if len(run) < 13:
                continue
            groups = _RUN_SPLIT.split(run)
            cards = _split_cards(groups)
            if not cards:
                continue
            offsets = [m.start() for m in re.finditer(r"[0-9]+", run)]
            for i, j, brand in cards:
                start = match.start() + offsets[i]
                end = match.start() + offsets[j] + len(groups[j])
                found.append(
                    Finding(
                        Kind.CARD,
                        start,
                        end,
                        mask(text[start:end], keep_end=4),
                        "sensitive.card",
                        {"brand": brand},
                    )
                )
        return found

    def _nirs(self, doc: _Text, taken: _Taken) -> list[Finding]:
        text = doc.raw
        found = []
        for match in _NIR.finditer(text):
            if stdnum_nir.is_valid(match.group().replace("\u00a0", "").replace("\u202f", "")):
                found.append(
                    Finding(
                        Kind.NIR,
                        match.start(),
                        match.end(),
                        mask(match.group(), keep_end=2),
                        "sensitive.nir",
                    )
                )
        return found

    def _company_numbers(self, doc: _Text, length: int) -> Iterable[tuple[int, int, str, bool]]:
        """Digit runs of `length` digits: (start, end, digits, written in the canonical
        3-3-3(-5) grouping), those that a company word precedes or that are so grouped."""
        words = [m.end() for m in _at_word_start(_COMPANY_WORD, doc.low)]
        if not words and length == 9:
            return  # a SIREN is only taken with a word before it
        for match in doc.runs:
            run = match.group()
            if not length <= len(run) <= length + 3:
                continue  # 9 or 14 digits, with at most 3 spaces
            groups = _RUN_SPLIT.split(run)
            digits = "".join(groups)
            if len(digits) != length:
                continue
            canonical = [len(g) for g in groups] == ([3, 3, 3] if length == 9 else [3, 3, 3, 5])
            i = bisect_right(words, match.start())  # the nearest word ending before it
            near = i > 0 and match.start() - words[i - 1] <= _COMPANY_WINDOW
            if near or (canonical and length == 14):
                yield match.start(), match.end(), digits, near

    def _sirets(self, doc: _Text, taken: _Taken) -> list[Finding]:
        text = doc.raw
        return [
            Finding(Kind.SIRET, start, end, mask(text[start:end], keep_end=3), "sensitive.siret")
            for start, end, digits, _ in self._company_numbers(doc, 14)
            if stdnum_siret.is_valid(digits)
        ]

    def _sirens(self, doc: _Text, taken: _Taken) -> list[Finding]:
        text = doc.raw
        return [
            Finding(Kind.SIREN, start, end, mask(text[start:end], keep_end=3), "sensitive.siren")
            for start, end, digits, _ in self._company_numbers(doc, 9)
            if luhn_ok(digits)
        ]

    # -- lists ------------------------------------------------------------------------------

    def _list(
        self, kind: Kind, items: list[tuple[int, int, str, str]], taken: _Taken
    ) -> list[Finding]:
        items = [item for item in items if not taken.overlaps(item[0], item[1])]
        distinct = {key for _, _, key, _ in items}
        if len(distinct) < self.config.list_threshold:
            return []
        reason = f"sensitive.{kind.value}"
        return [
            Finding(kind, start, end, masked, reason, {"count": len(distinct)})
            for start, end, _, masked in items
        ]

    def _emails(self, doc: _Text, taken: _Taken) -> list[Finding]:
        text = doc.raw
        if "@" not in text:
            return []
        items = []
        at = text.find("@")
        while at != -1:
            start = _local_part_start(text, at)
            domain = _EMAIL_DOMAIN.match(text, at + 1) if start is not None else None
            if start is not None and domain and domain.group().rsplit(".", 1)[-1].isalpha():
                address = text[start : domain.end()]
                items.append((start, domain.end(), address.casefold(), mask_email(address)))
            at = text.find("@", at + 1)
        return self._list(Kind.EMAIL_LIST, items, taken)

    def _phones(self, doc: _Text, taken: _Taken) -> list[Finding]:
        text = doc.raw
        candidates = [
            m
            for m in _at_word_start(_PHONE, text, "+")
            if not _REFERENCE_BEFORE.search(doc.low[max(0, m.start() - 24) : m.start()])
        ]
        if len({m.group() for m in candidates}) < self.config.list_threshold:
            return []
        items = []
        for match in candidates:
            raw = match.group()
            number = _valid_phone(raw)
            if number is not None:
                key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                items.append((match.start(), match.end(), key, mask(raw, keep_end=2)))
        return self._list(Kind.PHONE_LIST, items, taken)

    # -- salary -----------------------------------------------------------------------------

    def _salaries(self, doc: _Text, taken: _Taken) -> list[Finding]:
        text = doc.raw
        folded = doc.low
        if not any(stem in folded for stem in _SALARY_STEMS):
            return []  # the common case
        words = [(m.start(), m.end()) for m in _SALARY_WORD.finditer(folded)]
        marks = [m.start() for m in _SALARY_MARK.finditer(folded)]
        if not words and not marks:
            return []
        ends = [w_end for _, w_end in words]
        found = []
        for start, end in self._amounts_near(folded, words, marks):
            after = _SALARY_AFTER_AMOUNT.match(folded, end)
            salary = after is not None
            if not salary:
                salary = self._salary_word_near(folded, words, ends, start, end)
            if salary:
                found.append(
                    Finding(
                        Kind.SALARY,
                        start,
                        end,
                        mask(text[start:end]),
                        "sensitive.salary",
                    )
                )
        return found

    def _amounts_near(
        self, folded: str, words: list[tuple[int, int]], marks: list[int]
    ) -> Iterator[tuple[int, int]]:
        """The amounts close enough to a salary word, or right before "brut"/"gross": only
        the windows around them are scanned (an amount is at most ~40 characters)."""
        reach = self.config.salary_window + 40
        windows = sorted(
            [(max(0, w_start - reach), w_end + reach) for w_start, w_end in words]
            + [(max(0, mark - 40), mark) for mark in marks]
        )
        merged: list[list[int]] = []
        for low, high in windows:
            if merged and low <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], high)
            else:
                merged.append([low, high])
        for low, high in merged:
            for match in _AMOUNT.finditer(folded, low, min(high, len(folded))):
                yield match.start(), match.end()

    def _salary_word_near(
        self, folded: str, words: list[tuple[int, int]], ends: list[int], start: int, end: int
    ) -> bool:
        """A salary word within the window before or after the amount, in its sentence. Only
        the nearest word on each side is looked at: a farther one is farther still."""
        window = self.config.salary_window
        i = bisect_right(ends, start)  # words[:i] end before the amount
        if i > 0:
            gap = folded[words[i - 1][1] : start]
            if len(gap) <= window and not _SENTENCE_END.search(gap):
                return True
        j = i
        while j < len(words) and words[j][0] < end:
            j += 1  # a word overlapping the amount is no context
        if j < len(words):
            gap = folded[end : words[j][0]]
            if len(gap) <= window and not _SENTENCE_END.search(gap):
                return True
        return False

    # -- credentials and terms ---------------------------------------------------------------

    def _credentials(self, doc: _Text, taken: _Taken) -> list[Finding]:
        text = doc.raw
        found = []
        keys = _at_word_start(_KEYS, text, "-") if any(k in text for k in _KEY_STEMS) else ()
        for match in keys:
            service = _KEY_SHAPES[int((match.lastgroup or "k0")[1:])][0]
            value = match.group()
            found.append(
                Finding(
                    Kind.CREDENTIAL,
                    match.start(),
                    match.end(),
                    value[:4] + BULLET * 8,
                    "sensitive.credential.key",
                    {"service": service},
                )
            )
        if "-----BEGIN" in text:
            for match in _PEM_BEGIN.finditer(text):
                end_match = _PEM_END.search(text, match.end())
                end = end_match.end() if end_match else match.end()
                found.append(
                    Finding(
                        Kind.CREDENTIAL,
                        match.start(),
                        end,
                        match.group() + " " + BULLET * 8,
                        "sensitive.credential.private_key",
                    )
                )
        labels = _SECRET_LABEL.finditer(doc.low) if any(k in doc.low for k in _LABEL_STEMS) else ()
        for match in labels:
            value_match = _SECRET_VALUE.match(text, match.end())
            if value_match is None:
                continue
            value = value_match.group(1).rstrip(".,;:)]}»”")
            if _password_like(value) and (not match.group("bare") or _strong(value)):
                start = value_match.start(1)
                found.append(
                    Finding(
                        Kind.CREDENTIAL,
                        start,
                        start + len(value),
                        BULLET * 8,
                        "sensitive.credential.password",
                    )
                )
        if "://" in text:
            for match in _URL_PASSWORD.finditer(text):
                found.append(
                    Finding(
                        Kind.CREDENTIAL,
                        match.start(1),
                        match.end(1),
                        BULLET * 8,
                        "sensitive.credential.password",
                    )
                )
        return found

    def _confidential_terms(self, doc: _Text, taken: _Taken) -> list[Finding]:
        text = doc.raw
        if self._terms is None:
            return []
        return [
            Finding(
                Kind.CONFIDENTIAL_TERM,
                match.start(),
                match.end(),
                text[match.start() : match.end()],
                "sensitive.confidential_term",
                {"term": text[match.start() : match.end()]},
            )
            for match in _at_word_start(self._terms, doc.low)
        ]


@lru_cache(maxsize=64)
def scanner(config: DetectorConfig) -> Scanner:
    """The compiled scanner of a configuration (kept: compiling the terms costs)."""
    return Scanner(config)


def scan(text: str, config: DetectorConfig | None = None) -> list[Finding]:
    """The sensitive passages of `text`, in order, none overlapping another."""
    return scanner(config or DetectorConfig()).scan(text)

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siret as stdnum_siret

from rucher.sensitive.messages import describe
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
# Numbers

SEP = "[ \u00a0\u202f]"  # the spaces one finds inside a number written by a person
_IBAN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?:[ \u00a0\u202f-]?[A-Za-z0-9]){11,32}(?![A-Za-z0-9])"
)
_NIR = re.compile(
    rf"[1-478](?<![\w.,/][1-478]){SEP}?[0-9]{{2}}{SEP}?(?:0[1-9]|1[0-2]|[2-9][0-9]){SEP}?"
    rf"(?:[0-9]{{2}}|2[ABab]){SEP}?[0-9]{{3}}{SEP}?[0-9]{{3}}{SEP}?[0-9]{{2}}(?![\w])"
)
# A run of digits, a single space or dash allowed between two of them; it starts where the
# run starts (look-behind) so that scanning a long run is linear.
_DIGIT_RUN = re.compile(r"[0-9](?<![\w.,/][0-9])(?:[ \u00a0\u202f-]?[0-9])*(?![\w])")
_RUN_SPLIT = re.compile(r"[ \u00a0\u202f-]")
_COMPANY_WORD = re.compile(r"(?:siren|siret|rcs|immatricul\w*)\b")  # on fold_lower
_COMPANY_WINDOW = 40


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if i % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# (brand, prefixes as (low, high) ranges of a fixed number of leading digits, lengths)
_CARD_BRANDS: tuple[tuple[str, tuple[tuple[int, int, int], ...], frozenset[int]], ...] = (
    ("Visa", ((1, 4, 4),), frozenset({16, 19})),
    ("Mastercard", ((2, 51, 55), (4, 2221, 2720)), frozenset({16})),
    ("American Express", ((2, 34, 34), (2, 37, 37)), frozenset({15})),
    ("Discover", ((4, 6011, 6011), (3, 644, 649), (2, 65, 65)), frozenset(range(16, 20))),
    ("Diners Club", ((3, 300, 305), (2, 36, 36), (2, 38, 39)), frozenset(range(14, 20))),
    ("JCB", ((4, 3528, 3589),), frozenset(range(16, 20))),
    ("UnionPay", ((2, 62, 62),), frozenset(range(16, 20))),
    (
        "Maestro",
        ((4, 5018, 5018), (4, 5020, 5020), (4, 5038, 5038), (4, 5893, 5893),
         (4, 6304, 6304), (4, 6759, 6759), (4, 6761, 6763)),
        frozenset(range(13, 20)),
    ),
    ("Mir", ((4, 2200, 2204),), frozenset({16})),
)


def card_brand(digits: str) -> str | None:
    """The issuer of a card number by prefix and length (not Luhn), or None."""
    for brand, ranges, lengths in _CARD_BRANDS:
        if len(digits) not in lengths:
            continue
        for width, low, high in ranges:
            if low <= int(digits[:width]) <= high:
                return brand
    return None


def _card_layout_ok(groups: Sequence[str]) -> bool:
    """As cards are written: in one piece, by fours (the last group may be shorter), or the
    American Express / Diners 4-6-5 and 4-6-4 layouts."""
    if len(groups) == 1:
        return True
    lengths = [len(g) for g in groups]
    if all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4:
        return True
    return lengths in ([4, 6, 5], [4, 6, 4])


def _split_cards(groups: Sequence[str]) -> list[tuple[int, int, str]] | None:
    """The run of digit groups as one card or several back to back, each (first group, last
    group, brand); None unless the whole run is cards: the first 16 digits of a longer
    number that happen to pass Luhn are not a card."""
    if len(groups) > 24:
        return None
    if not groups:
        return []
    digits = ""
    for j, piece in enumerate(groups):
        digits += piece
        if len(digits) > 19:
            return None
        if len(digits) < 13 or not _card_layout_ok(groups[: j + 1]):
            continue
        brand = card_brand(digits)
        if brand and luhn_ok(digits):
            rest = _split_cards(groups[j + 1 :])
            if rest is not None:
                return [(0, j, brand)] + [(i + j + 1, k + j + 1, b) for i, k, b in rest]
    return None


# --------------------------------------------------------------------------------------------
# Lists of addresses and phone numbers

# the domain of an address, after its "@"; the local part is read backwards from the "@"
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}(?![\w-])")
_PHONE = re.compile(
    # international: +33 6 12 34 56 78, 0044 20 7946 0958, +33 (0)1 23 45 67 89, +1 415-555-0123
    # (each repetition takes exactly one digit: no two ways to split a run of digits)
    r"(?:\+|00)[1-9](?:[ .\u00a0()-]{0,2}[0-9]){6,16}(?![\w])"
    # French national: 06 12 34 56 78, 06.12.34.56.78, 0612345678
    r"|0[1-9](?:[ .\u00a0-]?[0-9]{2}){4}(?![\w])"
    # North American national: (415) 555-0123, 415-555-0123
    r"|(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[-.])[2-9][0-9]{2}[-.][0-9]{4}(?![\w])"
)
# a national number starting with 0 is French, or of a French overseas department (0594 …)
_NATIONAL_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT")


def _valid_phone(raw: str) -> phonenumbers.PhoneNumber | None:
    regions = ("US",) if raw[0] in "(23456789" else _NATIONAL_REGIONS
    for region in regions if raw[0] != "+" and not raw.startswith("00") else ("FR",):
        try:
            number = phonenumbers.parse(raw.replace("(0)", ""), region)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return number
    return None


# A product, order or invoice reference right before a phone-shaped number.
_REFERENCE_BEFORE = re.compile(
    r"(?:\b(?:ref|reference|sku|article|art|code|commande|order|invoice|facture|lot|serial|"
    r"serie|colis|tracking|produit|product|item)\b|#)[\s.:°#-]*$"
)

# --------------------------------------------------------------------------------------------
# Salary

_NUMBER = r"[0-9]{1,3}(?:[ \u00a0\u202f.,'][0-9]{3})+(?:[.,][0-9]{1,2})?|[0-9]+(?:[.,][0-9]{1,2})?"
# matched on fold_lower(text)
_CURRENCY = r"€|eur\b|euros?\b|\$|usd\b|dollars?\b|£|gbp\b|pounds?\b|livres?\b|chf\b"
_AMOUNT = re.compile(
    rf"(?<![\w.,])(?:(?:€|\$|£|eur|usd|gbp|chf) ?(?:{_NUMBER}) ?(?:k\b|m\b)?"
    rf"|(?:{_NUMBER})[ \u00a0\u202f]?(?:[km] ?(?:{_CURRENCY})|(?:{_CURRENCY})|k\b))"
)
_SALARY_WORD = re.compile(
    # matched on the folded text (no accents); ambiguous words are left out or qualified:
    # "package" (a product bundle), "augmentation" (of a budget), "paye"/"paie" (the verb),
    # "raise" (funds), "net" after an amount (a net profit)
    r"\b(?:salaires?|salariale?s?|salariaux|remunerations?|remunere[es]*|"
    r"(?:brut|net)s? (?:annuel|mensuel|par an|par mois)|(?:annuel|mensuel) (?:brut|net)|"
    r"fixe annuel|part variable|package (?:salarial|de remuneration|annuel|brut)|"
    r"augmentation (?:de salaire|salariale|individuelle)|fiche de paie|bulletin de paie|"
    r"feuille de paie|smic|"
    r"salary|salaries|wages?|payroll|compensation|remuneration|per annum|p\.a\.|"
    r"base pay|pay rise|pay raise|payslip|pay slip|take-home|gross annual|annual base|"
    r"(?:a|per) (?:month|year),? (?:gross|net)|(?:gross|net) (?:a|per) (?:month|year)|"
    r"(?:a|the|his|her|my|your|their) raise)(?!\w)"
)
# Cheap look-ups before the regular expressions (a substring test is a fast scan in C): a
# post with none of these cannot match, and most posts have none.
_SALARY_STEMS = (
    "salai", "salar", "remun", "brut", "annuel", "mensuel", "par an", "par mois", "fixe annuel",
    "part variable", "package", "augmentation", "paie", "smic", "wage", "payroll",
    "compensation", "annum", "p.a.", "base pay", "pay ri", "pay ra", "pay slip", "payslip",
    "take-home", "gross", "a month", "a year", "per month", "per year", "raise",
)
_SALARY_AFTER_AMOUNT = re.compile(r"\s?(?:bruts?|gross)\b")
_SALARY_MARK = re.compile(r"brut|gross")
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")

# --------------------------------------------------------------------------------------------
# Credentials

_KEY_SHAPES: tuple[tuple[str, str], ...] = (
    ("AWS", r"(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}"),
    ("GitHub", r"gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255}"),
    ("Slack", r"xox[abposr]-[A-Za-z0-9-]{10,250}"),
    ("Slack", r"https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,120}"),
    ("Stripe", r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}|whsec_[A-Za-z0-9]{24,64}"),
    ("Google", r"AIza[0-9A-Za-z_-]{35}|GOCSPX-[0-9A-Za-z_-]{28}|ya29\.[0-9A-Za-z_-]{20,400}"),
)
_KEYS = re.compile(
    "|".join(
        f"(?P<k{i}>(?:{shape})(?![A-Za-z0-9_-]))"
        for i, (_, shape) in enumerate(_KEY_SHAPES)
    )
)
_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY( BLOCK)?-----")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY( BLOCK)?-----")
_KEY_STEMS = (
    "AKIA", "ASIA", "ABIA", "ACCA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    "xox", "hooks.slack", "sk_", "rk_", "whsec_", "AIza", "GOCSPX-", "ya29.",
)
_LABEL_STEMS = ("pass", "pwd", "mdp", "secret", "api", "token", "mot de passe", "mot-de-passe")
_SECRET_LABEL = re.compile(
    r"(?<![\w-])(?:password|passwd|pwd|passphrase|mot de passe|mot-de-passe|mdp|"
    r"(?:aws_)?secret(?:_access)?_key|api[_-]?key|api[_-]?secret|client[_-]?secret|"
    r"access[_-]?token|auth[_-]?token|secret)"
    # "password: X", "mot de passe = X", and "le mot de passe du compte partagé est X"
    r"(?:\s*(?::|=|=>|->)\s*|(?:\s+[\w'’-]{1,24}){0,5}?\s+(?:is|est|:|=)\s+|(?P<bare>\s+))"
)  # on fold_lower(text)
_SECRET_VALUE = re.compile(r"[\"'«“]?\s?([^\s\"'«»“”]{1,200})")
_URL_PASSWORD = re.compile(r"://[^\s:/@]{1,64}:([^\s:/@]{1,128})@")  # scheme://user:pw@
_PLACEHOLDERS = frozenset(
    {
        "oublie", "oublié", "required", "requis", "obligatoire", "optional", "optionnel",
        "none", "null", "empty", "vide", "hidden", "masqué", "masque", "redacted",
        "changed", "changé", "reset", "identique", "same", "inchangé", "unchanged",
        "personnel", "personal", "temporaire", "temporary", "provisoire",
    }
)


def _password_like(value: str) -> bool:
    """A value after "password:" that looks like a password, not a word of a sentence."""
    if len(value) < 6 or value.casefold() in _PLACEHOLDERS:
        return False
    if value[0] in "<{$%[(" or value.startswith("http"):
        return False  # a template, a variable, a link to a vault
    if len(set(value)) <= 2:
        return False  # ******** or xxxxxxx
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(not c.isalnum() for c in value)
    mixed = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
    if value.isdigit():
        return len(value) >= 6
    return has_digit or has_symbol or mixed


def _strong(value: str) -> bool:
    """After a bare "password " (no colon, no "is"), only an unmistakable password: digits,
    letters of both cases and a symbol ("password Demo#2025", not "password managers")."""
    return (
        any(c.isdigit() for c in value)
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(not c.isalnum() for c in value)
    )


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


def _at_word_start(
    pattern: re.Pattern[str], text: str, extra: str = ""
) -> Iterator[re.Match[str]]:
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
            re.compile(
                r"(?:" + terms_pattern(terms) + r")(?![\w\u0300-\u036f])"
            )
            if terms
            else None
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
        labels = (
            _SECRET_LABEL.finditer(doc.low) if any(k in doc.low for k in _LABEL_STEMS) else ()
        )
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

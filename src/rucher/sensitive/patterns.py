"""What each kind of sensitive data looks like: the patterns that find candidates and the
checks that tell a real one from a look-alike (checksums, issuer prefixes, phone validity,
salary and secret wording). ``detectors.Scanner`` walks a text with them.

Every regular expression is linear (see ``detectors``). Pure: no Django, no rucher app.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import phonenumbers

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
        (
            (4, 5018, 5018),
            (4, 5020, 5020),
            (4, 5038, 5038),
            (4, 5893, 5893),
            (4, 6304, 6304),
            (4, 6759, 6759),
            (4, 6761, 6763),
        ),
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
    "salai",
    "salar",
    "remun",
    "brut",
    "annuel",
    "mensuel",
    "par an",
    "par mois",
    "fixe annuel",
    "part variable",
    "package",
    "augmentation",
    "paie",
    "smic",
    "wage",
    "payroll",
    "compensation",
    "annum",
    "p.a.",
    "base pay",
    "pay ri",
    "pay ra",
    "pay slip",
    "payslip",
    "take-home",
    "gross",
    "a month",
    "a year",
    "per month",
    "per year",
    "raise",
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
    "|".join(f"(?P<k{i}>(?:{shape})(?![A-Za-z0-9_-]))" for i, (_, shape) in enumerate(_KEY_SHAPES))
)
_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY( BLOCK)?-----")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY( BLOCK)?-----")
_KEY_STEMS = (
    "AKIA",
    "ASIA",
    "ABIA",
    "ACCA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "hooks.slack",
    "sk_",
    "rk_",
    "whsec_",
    "AIza",
    "GOCSPX-",
    "ya29.",
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
        "oublie",
        "oublié",
        "required",
        "requis",
        "obligatoire",
        "optional",
        "optionnel",
        "none",
        "null",
        "empty",
        "vide",
        "hidden",
        "masqué",
        "masque",
        "redacted",
        "changed",
        "changé",
        "reset",
        "identique",
        "same",
        "inchangé",
        "unchanged",
        "personnel",
        "personal",
        "temporaire",
        "temporary",
        "provisoire",
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

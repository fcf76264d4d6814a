"""Writes tests/sensitive/corpus.tsv, the labelled corpus of the sensitive-data detectors.

    .venv/bin/python tests/sensitive/make_corpus.py

Sentences are written by hand as templates (French and English); the numbers in them are
generated with a fixed seed and their check digits *computed* (mod 97 for IBAN and NIR, Luhn
for cards and SIREN/SIRET, the digit sum for La Poste's SIRET), never guessed; the hard
negatives get numbers with a wrong key on purpose. Each template carries its expected kinds
(the truth, as a person would label the sentence, not what the detectors say).

The split into a development half and a held-out half is by *template*, decided here with
its own seed before any tuning: both instances of a template land in the same half, so the
held-out half has sentences whose wording the detectors were never tuned on. Within each
category the templates are shuffled and dealt alternately, so both halves cover every kind.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

HERE = Path(__file__).resolve().parent
OUT = HERE / "corpus.tsv"
SPLIT_SEED = 20261206  # fixed before tuning; never changed afterwards
VALUE_SEED = 1306
INSTANCES = 2  # a template with placeholders is written this many times

CONFIDENTIAL_TERMS = ("Projet Aurore", "Hélios", "Kestrel", "Opération Mistral", "Nordlicht")

rng = random.Random(VALUE_SEED)


def digits(n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def group(s: str, size: int = 4, sep: str = " ") -> str:
    return sep.join(s[i : i + size] for i in range(0, len(s), size))


# -- IBAN ----------------------------------------------------------------------------------

_IBAN_DAT = Path(stdnum_iban.__file__).with_name("iban.dat").read_text()
IBAN_STRUCTURES = dict(re.findall(r'^([A-Z]{2}) country="[^"]*" bban="([^"]+)"', _IBAN_DAT, re.M))


def bban(structure: str) -> str:
    out = []
    for count, kind in re.findall(r"(\d+)!([nac])", structure):
        pool = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}.get(
            kind, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        )
        out.append("".join(rng.choice(pool) for _ in range(int(count))))
    return "".join(out)


def make_iban(country: str = "FR") -> str:
    body = bban(IBAN_STRUCTURES[country])
    check = stdnum_iban.calc_check_digits(country + "00" + body)
    value = country + check + body
    assert stdnum_iban.is_valid(value, check_country=False)
    return value


def make_bad_iban(country: str = "FR") -> str:
    good = make_iban(country)
    wrong = f"{(int(good[2:4]) + rng.randint(1, 90)) % 97 + 2:02d}"
    if wrong == good[2:4]:
        wrong = f"{(int(wrong) + 1) % 97 + 2:02d}"
    value = good[:2] + wrong + good[4:]
    assert not stdnum_iban.is_valid(value, check_country=False)
    return value


# -- cards -----------------------------------------------------------------------------------


def make_card(prefix: str, length: int) -> str:
    body = prefix + digits(length - len(prefix) - 1)
    value = body + luhn.calc_check_digit(body)
    assert luhn.is_valid(value)
    return value


def make_bad_card(prefix: str = "4", length: int = 16) -> str:
    good = make_card(prefix, length)
    last = str((int(good[-1]) + rng.randint(1, 9)) % 10)
    value = good[:-1] + last
    assert not luhn.is_valid(value)
    return value


# -- NIR, SIREN, SIRET -----------------------------------------------------------------------


def make_nir(department: str | None = None) -> str:
    dep = department or f"{rng.randint(1, 95):02d}".replace("20", "21")
    head = (
        rng.choice("12")
        + f"{rng.randint(40, 99):02d}"
        + f"{rng.randint(1, 12):02d}"
        + dep
        + f"{rng.randint(1, 999):03d}"
        + f"{rng.randint(1, 999):03d}"
    )
    value = head + stdnum_nir.calc_check_digits(head)
    assert stdnum_nir.is_valid(value)
    return value


def fmt_nir(value: str) -> str:
    return " ".join(
        [value[0], value[1:3], value[3:5], value[5:7], value[7:10], value[10:13], value[13:]]
    )


def make_bad_nir() -> str:
    good = make_nir()
    value = good[:13] + f"{(int(good[13:]) + rng.randint(1, 50)) % 97 + 1:02d}"
    if stdnum_nir.is_valid(value):
        return make_bad_nir()
    return value


def make_siren() -> str:
    body = str(rng.randint(1, 9)) + digits(7)
    return body + luhn.calc_check_digit(body)


def make_siret(siren: str | None = None) -> str:
    body = (siren or make_siren()) + digits(4)
    return body + luhn.calc_check_digit(body)


def make_la_poste_siret() -> str:
    while True:
        value = "356000000" + digits(5)
        if sum(map(int, value)) % 5 == 0 and not luhn.is_valid(value):
            return value


def make_bad_siren() -> str:
    while True:
        value = str(rng.randint(1, 9)) + digits(8)
        if not luhn.is_valid(value):
            return value


def fmt_siren(v: str) -> str:
    return f"{v[:3]} {v[3:6]} {v[6:9]}"


def fmt_siret(v: str) -> str:
    return f"{v[:3]} {v[3:6]} {v[6:9]} {v[9:]}"


# -- people ----------------------------------------------------------------------------------

FIRST = [
    "camille",
    "julien",
    "sarah",
    "thomas",
    "lea",
    "nicolas",
    "emma",
    "hugo",
    "ines",
    "mathieu",
    "chloe",
    "antoine",
    "oliver",
    "amelia",
    "james",
    "sophie",
]
LAST = [
    "martin",
    "bernard",
    "dubois",
    "durand",
    "lefebvre",
    "moreau",
    "laurent",
    "simon",
    "michel",
    "garcia",
    "smith",
    "jones",
    "taylor",
    "brown",
    "roux",
    "fournier",
]
DOMAINS = ["rucher-demo.fr", "exemple.com", "acme-industrie.fr", "partner.co.uk", "example.org"]


def email() -> str:
    return f"{rng.choice(FIRST)}.{rng.choice(LAST)}@{rng.choice(DOMAINS)}"


def phone_fr() -> str:
    lead = rng.choice(["06", "07", "01", "04", "05", "02"])
    if lead == "07":
        lead += str(rng.randint(3, 8))
        rest = digits(7)
        num = lead + rest
    else:
        num = lead + str(rng.randint(1, 9)) + digits(7)
    style = rng.choice(["spaces", "dots", "compact", "intl"])
    if style == "spaces":
        return group(num, 2)
    if style == "dots":
        return group(num, 2, ".")
    if style == "compact":
        return num
    return "+33 " + num[1] + " " + group(num[2:], 2)


def phone_intl() -> str:
    return rng.choice(
        [
            f"+44 20 7{digits(3)} {digits(4)}",
            f"+1 212 {rng.randint(200, 999)} {digits(4)}",
            f"+49 30 {rng.randint(2, 9)}{digits(7)}",
            f"+32 2 {rng.randint(200, 799)} {digits(2)} {digits(2)}",
            f"+41 22 {rng.randint(300, 899)} {digits(2)} {digits(2)}",
        ]
    )


def phone_us() -> str:
    return f"({rng.choice(['212', '415', '617', '312'])}) {rng.randint(200, 999)}-{digits(4)}"


# -- secrets (made up here, valid shapes) ----------------------------------------------------

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER_NUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def pick(pool: str, n: int) -> str:
    return "".join(rng.choice(pool) for _ in range(n))


def password() -> str:
    return rng.choice(["Soleil", "Rucher", "Printemps", "Azerty", "Paris", "Welcome", "Summer"]) + (
        rng.choice(["2024", "2025!", "#42", "_77", "!9", "123"])
    )


def amex(v: str) -> str:
    return f"{v[:4]} {v[4:10]} {v[10:]}"


VALUES = {
    "iban_fr": lambda: group(make_iban("FR")),
    "iban_fr_c": lambda: make_iban("FR"),
    "iban_de": lambda: group(make_iban("DE")),
    "iban_be": lambda: group(make_iban("BE")),
    "iban_es": lambda: group(make_iban("ES")),
    "iban_gb": lambda: group(make_iban("GB")),
    "iban_any": lambda: group(make_iban(rng.choice(sorted(IBAN_STRUCTURES)))),
    "iban_bad": lambda: group(make_bad_iban(rng.choice(["FR", "DE", "BE", "ES", "IT"]))),
    "visa": lambda: group(make_card("4", 16)),
    "visa_c": lambda: make_card("4" + digits(1), 16),
    "mc": lambda: group(make_card(str(rng.randint(51, 55)), 16)),
    "mc2": lambda: group(make_card(str(rng.randint(2221, 2720)), 16), 4, "-"),
    "amex": lambda: amex(make_card(rng.choice(["34", "37"]), 15)),
    "cb": lambda: group(make_card(rng.choice(["4970", "4973", "5132", "4974"]), 16)),
    "card_bad": lambda: group(make_bad_card(rng.choice(["4", "51", "37"]))),
    "card_bad_c": lambda: make_bad_card("4", 16),
    "nir": lambda: fmt_nir(make_nir()),
    "nir_c": lambda: make_nir(),
    "nir_corse": lambda: fmt_nir(make_nir(rng.choice(["2A", "2B"]))),
    "nir_bad": lambda: fmt_nir(make_bad_nir()),
    "siren": lambda: fmt_siren(make_siren()),
    "siren_c": lambda: make_siren(),
    "siret": lambda: fmt_siret(make_siret()),
    "siret_c": lambda: make_siret(),
    "siret_poste": lambda: fmt_siret(make_la_poste_siret()),
    "siren_bad": lambda: fmt_siren(make_bad_siren()),
    "email": email,
    "phone_fr": phone_fr,
    "phone_intl": phone_intl,
    "phone_us": phone_us,
    "aws": lambda: "AKIA" + pick(UPPER_NUM, 16),
    "ghp": lambda: "ghp_" + pick(ALNUM, 36),
    "slack": lambda: f"xoxb-{digits(11)}-{digits(12)}-{pick(ALNUM, 24)}",
    "stripe": lambda: "sk_live_" + pick(ALNUM, 24),
    "google": lambda: "AIza" + pick(ALNUM + "_-", 35),
    "password": password,
    "order": lambda: rng.choice([f"CMD-{digits(6)}", f"{digits(8)}", f"PO-2025-{digits(5)}"]),
    "invoice": lambda: rng.choice([f"FA-2025-{digits(4)}", f"{digits(10)}", f"INV{digits(7)}"]),
    "date": lambda: rng.choice(
        [
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025",
            f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2024",
        ]
    ),
    "version": lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}",
    "postcode": lambda: rng.choice(["75011", "69003", "13008", "33000", "59800", "31000"]),
    "ean": lambda: (
        lambda b: (
            b + str((10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(b)) % 10) % 10)
        )
    )("376" + digits(9)),
    "money": lambda: rng.choice(
        [
            "45 000 €",
            "12 500 €",
            "3 200 €",
            "1,2 M€",
            "850 €",
            "75k€",
            "$120,000",
            "£45,000",
            "2 400 euros",
        ]
    ),
    "digits16": lambda: digits(16),
}

TEMPLATES = HERE / "templates.txt"  # category|language|expected kinds|template
# written after the first held-out measurement (docs/moderation.md): its own half, "heldout2"
TEMPLATES_2 = HERE / "templates_heldout2.txt"


def templates(path: Path = TEMPLATES) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        category, language, kinds, text = line.split("|", 3)
        rows.append((category, language, kinds, text.replace("\\n", "\n")))
    return rows


def split(rows: list[tuple[str, str, str, str]]) -> dict[int, str]:
    """Template index -> "dev" or "heldout", dealt alternately per category after a shuffle
    with SPLIT_SEED (decided before tuning)."""
    by_category: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_category.setdefault(row[0], []).append(i)
    shuffler = random.Random(SPLIT_SEED)
    out: dict[int, str] = {}
    for category in sorted(by_category):
        ids = by_category[category]
        shuffler.shuffle(ids)
        for n, i in enumerate(ids):
            out[i] = "dev" if n % 2 == 0 else "heldout"
    return out


def fill(text: str) -> str:
    """The placeholders filled; values within one sentence are distinct (three addresses
    drawn for a list of three are three addresses: a repeat would make the label false)."""
    used: set[str] = set()

    def draw(match: re.Match[str]) -> str:
        value = VALUES[match.group(1)]()
        while value in used:
            value = VALUES[match.group(1)]()
        used.add(value)
        return value

    return re.sub(r"\{(\w+)\}", draw, text)


def build() -> list[tuple[str, str, str, str, str]]:
    rows = templates()
    halves = split(rows)
    out = []
    for i, (category, language, kinds, text) in enumerate(rows):
        times = INSTANCES if "{" in text and not text.startswith("Set password") else 1
        for n in range(times):
            sentence = fill(text) if "{DB_" not in text else text
            out.append((f"{category}-{i:03d}-{n}", halves[i], language, kinds, sentence))
    for i, (category, language, kinds, text) in enumerate(templates(TEMPLATES_2)):
        for n in range(INSTANCES if "{" in text else 1):
            out.append((f"h2-{category}-{i:03d}-{n}", "heldout2", language, kinds, fill(text)))
    return out


def main() -> None:
    lines = ["id\tsplit\tlanguage\tkinds\tsentence"]
    for row_id, half, language, kinds, sentence in build():
        lines.append("\t".join([row_id, half, language, kinds, sentence.replace("\n", "\\n")]))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} sentences written to {OUT}")


if __name__ == "__main__":
    main()

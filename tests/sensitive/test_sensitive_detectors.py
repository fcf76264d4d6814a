"""Each detector on its own: what it must find, and the look-alikes it must let pass."""

from __future__ import annotations

import itertools

import pytest
from stdnum import luhn
from stdnum.fr import nir

from rucher.sensitive import DetectorConfig, Finding, Kind, scan
from rucher.sensitive.messages import MESSAGES, describe
from rucher.sensitive.patterns import card_brand, luhn_ok
from rucher.sensitive.text import fold_term


def kinds(text: str, **config: object) -> set[Kind]:
    return {f.kind for f in scan(text, DetectorConfig(**config))}  # type: ignore[arg-type]


def found(text: str, kind: Kind, **config: object) -> list[Finding]:
    return [f for f in scan(text, DetectorConfig(**config)) if f.kind == kind]  # type: ignore[arg-type]


def with_luhn(body: str) -> str:
    return body + luhn.calc_check_digit(body)


# -- IBAN ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("IBAN : FR14 2004 1010 0505 0001 3M02 606.", "FR14 2004 1010 0505 0001 3M02 606"),
        ("wire to GB82 WEST 1234 5698 7654 32 today", "GB82 WEST 1234 5698 7654 32"),
        ("DE89370400440532013000", "DE89370400440532013000"),
        ("Konto: DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX", "DE89 3704 0044 0532 0130 00"),
        ("compte BE68 5390 0754 7034, merci", "BE68 5390 0754 7034"),  # 16 characters
        ("NO93 8601 1117 947", "NO93 8601 1117 947"),  # Norway, the shortest (15)
        ("(MT84 MALT 0110 0001 2345 MTLC AST0 01S)", "MT84 MALT 0110 0001 2345 MTLC AST0 01S"),
        ("iban fr1420041010050500013m02606", "fr1420041010050500013m02606"),
    ],
)
def test_iban_found(text: str, value: str) -> None:
    (finding,) = found(text, Kind.IBAN)
    assert text[finding.start : finding.end] == value
    assert finding.masked[:4] == value[:4] and finding.masked[-3:] == value[-3:]
    assert "•" in finding.masked


@pytest.mark.parametrize(
    "text",
    [
        "FR15 2004 1010 0505 0001 3M02 606",  # wrong key
        "GB83 WEST 1234 5698 7654 32",
        "DE00 0000 0000 0000 0000 00",
        "FR76 3000 6000 0112 3456 7890",  # truncated
        "Le code AB12 CD34 EF56 GH78 est une référence interne.",
        "ZZ12 3456 7890 1234 5678",  # no such country
    ],
)
def test_iban_look_alikes_pass(text: str) -> None:
    assert Kind.IBAN not in kinds(text)


# -- cards ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, brand",
    [
        ("4111 1111 1111 1111", "Visa"),
        ("4111-1111-1111-1111", "Visa"),
        ("4111111111111111", "Visa"),
        ("5555 5555 5555 4444", "Mastercard"),
        ("2223 0031 2200 3222", "Mastercard"),  # 2-series
        ("3782 822463 10005", "American Express"),
        ("3714 496353 98431", "American Express"),
        ("6011 1111 1111 1117", "Discover"),
        ("3530 1113 3330 0000", "JCB"),
        ("3056 930902 5904", "Diners Club"),
        (with_luhn("497010" + "123456789"), "Visa"),  # a CB co-badged Visa
        (with_luhn("6200000000000000" + "00"), "UnionPay"),
    ],
)
def test_card_found(number: str, brand: str) -> None:
    (finding,) = found(f"Carte : {number}, exp 12/27", Kind.CARD)
    assert finding.params["brand"] == brand
    assert finding.masked.endswith(number[-4:]) and number[:4] not in finding.masked


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # fails Luhn
        "1234 5678 9012 3456",
        "Commande 9999 9999 9999 9995",  # Luhn-valid, no issuer starts with 9
        "Le numéro 41 11 11 11 11 11 11 11 est groupé par deux",  # not a card layout
        "ISBN 978-2-07-036822-8",
        "tel 06 12 34 56 78 06 98 76 54 32",
        "4111111111111",  # 13-digit Visa: retired, and EAN-13 codes look like it
        "2300 0201 1223 3334 0",  # its first 16 digits pass Luhn: the number has 17
    ],
)
def test_card_look_alikes_pass(text: str) -> None:
    assert Kind.CARD not in kinds(text)


def test_two_cards_in_a_row() -> None:
    cards = found("4111 1111 1111 1111 5555 5555 5555 4444", Kind.CARD)
    assert [c.params["brand"] for c in cards] == ["Visa", "Mastercard"]


def test_luhn_and_brand_helpers() -> None:
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")
    assert card_brand("4111111111111111") == "Visa"
    assert card_brand("2721000000000000") is None
    assert card_brand("2720990000000000") == "Mastercard"


# -- NIR -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "NIR 2 95 10 99 126 111 93",
        "sécu : 295109912611193",
        "né en Corse : 2 53 07 2B 073 004 70",
        "2 53 07 2A 073 004 43 (Ajaccio)",
        "numéro 1\u00a085\u00a005\u00a078\u00a0006\u00a0084\u00a091",
    ],
)
def test_nir_found(text: str) -> None:
    (finding,) = found(text, Kind.NIR)
    assert finding.masked[-2:].isdigit() and "•" in finding.masked


@pytest.mark.parametrize(
    "text",
    [
        "2 95 10 99 126 111 99",  # wrong key
        "2 53 07 2C 073 004 43",  # no department 2C
        "3 95 10 99 126 111 93",  # no such first digit
        "2 95 13 99 126 111 93",  # month 13
        "Réf. 2025 06 14 001 002 03",
    ],
)
def test_nir_look_alikes_pass(text: str) -> None:
    assert Kind.NIR not in kinds(text)


def test_nir_key_is_what_stdnum_computes() -> None:
    head = "1850578006084"
    assert Kind.NIR in kinds(head + nir.calc_check_digits(head))


# -- SIREN / SIRET -------------------------------------------------------------------------

SIREN = with_luhn("73282932")  # Luhn-valid
SIRET = with_luhn(SIREN + "0007")


def test_siren_needs_a_word_nearby() -> None:
    assert Kind.SIREN in kinds(f"SIREN {SIREN}")
    grouped = f"{SIREN[:3]} {SIREN[3:6]} {SIREN[6:]}"
    assert Kind.SIREN in kinds(f"immatriculée au RCS de Paris sous le numéro {grouped}")
    assert Kind.SIREN not in kinds(f"commande {SIREN} livrée")  # an order number, 1 in 10
    assert Kind.SIREN not in kinds(f"{grouped} bouteilles vendues")


def test_siret_by_word_or_by_its_grouping() -> None:
    grouped = f"{SIRET[:3]} {SIRET[3:6]} {SIRET[6:9]} {SIRET[9:]}"
    assert Kind.SIRET in kinds(f"SIRET : {SIRET}")
    assert Kind.SIRET in kinds(f"Adresse : 1 rue X, Lyon – {grouped}")
    assert Kind.SIRET not in kinds(f"colis {SIRET} en transit")
    assert Kind.SIREN not in kinds(f"SIRET : {SIRET}")  # the SIRET holds it


def test_siret_la_poste_exception() -> None:
    assert Kind.SIRET in kinds("SIRET 356 000 000 00048")  # the head office: Luhn
    assert Kind.SIRET in kinds("SIRET 356 000 000 00001")  # digit sum 15: multiple of 5
    assert not luhn.is_valid("35600000000001")  # though it fails Luhn
    assert Kind.SIRET not in kinds("SIRET 356 000 000 00002")


def test_siren_wrong_key_passes() -> None:
    bad = SIREN[:-1] + str((int(SIREN[-1]) + 1) % 10)
    assert Kind.SIREN not in kinds(f"SIREN {bad}")


# -- lists ---------------------------------------------------------------------------------


def test_email_list_from_the_threshold() -> None:
    two = "écrire à camille.martin@exemple.fr ou hugo.roux@exemple.fr"
    three = two + ", et lea@partner.co.uk"
    assert Kind.EMAIL_LIST not in kinds(two)
    findings = found(three, Kind.EMAIL_LIST)
    assert len(findings) == 3 and findings[0].params["count"] == 3
    assert findings[0].masked == "c•••@exemple.fr"
    assert Kind.EMAIL_LIST in kinds(two, list_threshold=2)


def test_one_address_in_a_signature_passes() -> None:
    assert not kinds("Bonne journée,\nCamille Martin\ncamille.martin@exemple.fr\n06 12 34 56 78")


def test_the_same_address_three_times_is_not_a_list() -> None:
    assert Kind.EMAIL_LIST not in kinds("a.b@exemple.fr, A.B@exemple.fr et a.b@exemple.fr")


@pytest.mark.parametrize(
    "text",
    [
        "06 12 34 56 78, 07 81 23 45 67, 01 42 68 53 00",
        "+33 6 12 34 56 78 / 0612345679 / +33 (0)1 42 68 53 00",
        "+44 20 7946 0958, +1 212 736 4421, +49 30 901820",
        "(212) 736-4421; (415) 738-2291; (617) 555-0142",
        "0033 6 12 34 56 78, 06.12.34.56.79, 06-12-34-56-70",
        "Numéros : 06 12 34 56 78, 07 81 23 45 67, n° 01 42 68 53 00",
        "Cayenne 05 94 80 14 67, Fort-de-France 05 96 71 20 30, Paris 01 42 68 53 00",
    ],
)
def test_phone_list_found(text: str) -> None:
    assert Kind.PHONE_LIST in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Tél. 06 12 34 56 78 – fax 01 42 68 53 00",  # two
        "réf. 0612345678, réf. 0698765432, réf. 0711223344",  # product codes
        "SKU 0145678923, SKU 0156473829, SKU 0178563412",
        "Les dates : 12.03.2025, 14.03.2025, 18.03.2025",
        "Versions 1.2.3, 1.2.4, 2.0.0",
        "Codes postaux 75011, 69003, 13008",
        "06 12 34 56 78, 06 12 34 56 78, 06 12 34 56 78",  # one number three times
    ],
)
def test_phone_look_alikes_pass(text: str) -> None:
    assert Kind.PHONE_LIST not in kinds(text)


# -- salary --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Son salaire : 3 200 € net par mois.",
        "rémunération annuelle de 45 000 euros",
        "On lui propose 55k€ brut.",
        "55 K€ bruts + variable",
        "Her salary is $95,000.",
        "compensation: £52,000 per annum",
        "Salary: 80k",
        "He earns €4,200 a month gross.",
        "La rémuneration (sic) est de 2 000 €.",
    ],
)
def test_salary_found(text: str) -> None:
    assert Kind.SALARY in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Le billet coûte 89 €.",
        "Budget : 45 000 €, validé.",
        "Parlons salaire à l'entretien. Le repas coûte 25 €.",  # another sentence
        "La marge brute est de 42 %.",
        "Salaire selon profil, télétravail possible.",
        "We raised €2 million in the seed round.",
        "Le salaire moyen a progressé de 3 % en 2025.",  # no amount
        "Le package coûte 49 € par an.",  # a product bundle
        "Une augmentation de 15 000 € du budget formation.",
        "Il paye 30 € par mois pour son abonnement.",
        "We will raise €5,000 for charity.",
        "Le bénéfice atteint 3 M€ net.",
    ],
)
def test_salary_look_alikes_pass(text: str) -> None:
    assert Kind.SALARY not in kinds(text)


# -- credentials ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, service",
    [
        ("AKIAIOSFODNN7EXAMPLE", "AWS"),
        ("token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "GitHub"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "GitHub"),
        ("xoxb-12345678901-123456789012-abcdefghijklmnopqrstuvwx", "Slack"),
        ("https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXX", "Slack"),
        ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Stripe"),
        ("AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "Google"),
    ],
)
def test_api_keys_found(text: str, service: str) -> None:
    (finding,) = found(text, Kind.CREDENTIAL)
    assert finding.params["service"] == service
    assert finding.masked.startswith(text.split()[-1][:4]) and "•" in finding.masked


def test_private_key_block_found_whole() -> None:
    text = "clé :\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBk\n-----END EC PRIVATE KEY-----\nvoilà"
    (finding,) = found(text, Kind.CREDENTIAL)
    assert text[finding.start : finding.end].endswith("-----END EC PRIVATE KEY-----")
    assert "MHcC" not in finding.masked


@pytest.mark.parametrize(
    "text",
    [
        "mot de passe : Soleil2024!",
        "Mot de passe: hunter2x",
        "password = 'Tr0ub4dor&3'",
        "the password is Xk9#mQ2p",
        "Le mot de passe du compte partagé est Printemps123, ne le diffusez pas.",
        "The password for the guest wifi is Welcome2025",
        "mdp : 482913",
        "pwd=CorrectHorse",
        "login demo and password Demo#2025.",
        "postgres://app:S3cr3t-pw@db:5432/app",
    ],
)
def test_password_in_clear_found(text: str) -> None:
    (finding,) = found(text, Kind.CREDENTIAL)
    assert finding.masked == "••••••••"


@pytest.mark.parametrize(
    "text",
    [
        "Mot de passe oublié ?",
        "mot de passe : oublié",
        "password: ********",
        "Password: <your password>",
        "password: ${DB_PASSWORD}",
        "le mot de passe est le même que d'habitude",
        "Le mot de passe de ce compte est oublié depuis longtemps.",
        "The password you chose is weak.",
        "Password managers help; password reset2025 is the subject line.",
        "Mot de passe : voir le coffre-fort",
        "pk_live_51H8zZabcdefghijklmnopqrstuvwxyz",  # publishable, meant to be public
        "-----BEGIN PUBLIC KEY----- MFkw -----END PUBLIC KEY-----",
        "AKIA1234",  # too short
    ],
)
def test_credential_look_alikes_pass(text: str) -> None:
    assert Kind.CREDENTIAL not in kinds(text)


# -- confidential terms --------------------------------------------------------------------

TERMS = ("Projet Aurore", "Hélios", "cœur de cible", "R&D-X")


@pytest.mark.parametrize(
    "text, matched",
    [
        ("Point sur le projet aurore", "projet aurore"),
        ("point sur le PROJET   AURORE", "PROJET   AURORE"),
        ("le projet-aurore", "projet-aurore"),
        ("HELIOS avance", "HELIOS"),
        ("Hélios avance", "Hélios"),
        ("He\u0301lios avance", "He\u0301lios"),  # decomposed é
        ("notre coeur de cible", "coeur de cible"),
        ("notre CŒUR DE CIBLE", "CŒUR DE CIBLE"),
        ("l'équipe R&D-X recrute", "R&D-X"),
    ],
)
def test_confidential_terms_found(text: str, matched: str) -> None:
    (finding,) = found(text, Kind.CONFIDENTIAL_TERM, confidential_terms=TERMS)
    assert text[finding.start : finding.end] == matched
    assert finding.params["term"] == matched


@pytest.mark.parametrize(
    "text",
    ["aurore boréale", "l'héliosphère", "Heliosphere", "le cœur du sujet", "un projet à l'aurore"],
)
def test_confidential_terms_whole_words_only(text: str) -> None:
    assert not found(text, Kind.CONFIDENTIAL_TERM, confidential_terms=TERMS)


def test_no_terms_no_finding() -> None:
    assert not found("Projet Aurore", Kind.CONFIDENTIAL_TERM)
    assert fold_term("  Cœur  de CIBLE ") == "coeur de cible"


# -- the whole -----------------------------------------------------------------------------


def test_findings_do_not_overlap_and_are_in_order() -> None:
    text = (
        "IBAN FR14 2004 1010 0505 0001 3M02 606, carte 4111 1111 1111 1111, "
        "NIR 2 95 10 99 126 111 93, SIRET 356 000 000 00048, salaire 45 000 € brut"
    )
    findings = scan(text)
    assert [f.kind for f in findings] == [
        Kind.IBAN,
        Kind.CARD,
        Kind.NIR,
        Kind.SIRET,
        Kind.SALARY,
    ]
    for before, after in itertools.pairwise(findings):
        assert before.end <= after.start


def test_switched_off_kinds_are_not_looked_for() -> None:
    text = "carte 4111 1111 1111 1111"
    assert not scan(text, DetectorConfig(kinds=frozenset({Kind.IBAN})))


def test_every_reason_has_both_languages() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == {"en", "fr"}, key
    (finding,) = scan("carte 4111 1111 1111 1111")
    assert finding.describe("fr") == "Un numéro de carte de paiement (Visa)."
    assert finding.describe("de") == "A payment card number (Visa)."
    assert describe("sensitive.email_list", {"count": 4}, "fr").startswith("Une liste de 4")


def test_list_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError):
        DetectorConfig(list_threshold=0)

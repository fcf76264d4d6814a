"""Why a passage was flagged: plain message keys with their English and French texts.

A finding carries a key (`sensitive.iban` …) and parameters; the UI translates the key with
gettext later (the texts below are the msgids' reference wording), the library needs no
Django to say it.
"""

from __future__ import annotations

from collections.abc import Mapping

MESSAGES: dict[str, dict[str, str]] = {
    "sensitive.iban": {
        "en": "A bank account number (IBAN) with a valid check key.",
        "fr": "Un numéro de compte bancaire (IBAN) dont la clé est valide.",
    },
    "sensitive.card": {
        "en": "A payment card number ({brand}).",
        "fr": "Un numéro de carte de paiement ({brand}).",
    },
    "sensitive.nir": {
        "en": "A French social security number (NIR) with a valid key.",
        "fr": "Un numéro de sécurité sociale (NIR) dont la clé est valide.",
    },
    "sensitive.siren": {
        "en": "A company identification number (SIREN).",
        "fr": "Un numéro d'entreprise (SIREN).",
    },
    "sensitive.siret": {
        "en": "An establishment identification number (SIRET).",
        "fr": "Un numéro d'établissement (SIRET).",
    },
    "sensitive.email_list": {
        "en": "A list of {count} e-mail addresses.",
        "fr": "Une liste de {count} adresses e-mail.",
    },
    "sensitive.phone_list": {
        "en": "A list of {count} phone numbers.",
        "fr": "Une liste de {count} numéros de téléphone.",
    },
    "sensitive.salary": {
        "en": "A salary figure.",
        "fr": "Un montant de salaire.",
    },
    "sensitive.credential.key": {
        "en": "A secret key ({service}).",
        "fr": "Une clé secrète ({service}).",
    },
    "sensitive.credential.private_key": {
        "en": "A private key (PEM block).",
        "fr": "Une clé privée (bloc PEM).",
    },
    "sensitive.credential.password": {
        "en": "A password written in clear.",
        "fr": "Un mot de passe écrit en clair.",
    },
    "sensitive.confidential_term": {
        "en": "A term the organisation marked as confidential: “{term}”.",
        "fr": "Un terme que l'organisation a déclaré confidentiel : « {term} ».",
    },
}

LANGUAGES = ("en", "fr")


def describe(key: str, params: Mapping[str, object], language: str = "en") -> str:
    """The reason of a finding in `language` (English when the language is not known)."""
    texts = MESSAGES[key]
    return texts.get(language, texts["en"]).format(**params)

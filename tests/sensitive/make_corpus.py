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
    return " ".join([value[0], value[1:3], value[3:5], value[5:7], value[7:10], value[10:13],
                     value[13:]])


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

FIRST = ["camille", "julien", "sarah", "thomas", "lea", "nicolas", "emma", "hugo", "ines",
         "mathieu", "chloe", "antoine", "oliver", "amelia", "james", "sophie"]
LAST = ["martin", "bernard", "dubois", "durand", "lefebvre", "moreau", "laurent", "simon",
        "michel", "garcia", "smith", "jones", "taylor", "brown", "roux", "fournier"]
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
    "amex": lambda: (lambda v: f"{v[:4]} {v[4:10]} {v[10:]}")(make_card(rng.choice(["34", "37"]), 15)),
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
    "date": lambda: rng.choice([f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025",
                                f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                                f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2024"]),
    "version": lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}",
    "postcode": lambda: rng.choice(["75011", "69003", "13008", "33000", "59800", "31000"]),
    "ean": lambda: (lambda b: b + str((10 - sum(int(c) * (3 if i % 2 else 1) for i, c in
                                                enumerate(b)) % 10) % 10))("376" + digits(9)),
    "money": lambda: rng.choice(["45 000 €", "12 500 €", "3 200 €", "1,2 M€", "850 €", "75k€",
                                 "$120,000", "£45,000", "2 400 euros"]),
    "digits16": lambda: digits(16),
}

# category | language | expected kinds ("-" for none) | template
TEMPLATES = r"""
iban|fr|iban|Voici mon RIB pour le remboursement : {iban_fr}
iban|fr|iban|Pouvez-vous virer l'acompte sur le compte {iban_fr_c} avant vendredi ?
iban|fr|iban|Nouvel IBAN du fournisseur : {iban_de} (BIC à confirmer).
iban|fr|iban|Le compte de la filiale belge est le {iban_be}, merci de mettre à jour la fiche.
iban|en|iban|Please wire the deposit to {iban_gb} by Friday.
iban|en|iban|Our Spanish supplier changed bank details, new IBAN: {iban_es}
iban|en|iban|Bank details for the refund: IBAN {iban_any}
iban|fr|iban|Coordonnées bancaires de l'association : IBAN {iban_any} – merci !
iban|en|iban|Updated account for payroll transfers is {iban_fr_c}.
iban|fr|iban|Pour la note de frais, mon IBAN a changé : {iban_fr}, l'ancien est clôturé.
iban|en|-|The IBAN {iban_bad} was rejected by the bank, the key is wrong.
iban|fr|-|Le virement vers {iban_bad} a été refusé : clé RIB invalide.
iban|fr|-|Rappel : un IBAN français compte 27 caractères et commence par FR76 ou FR14.
iban|en|-|Where do I find my IBAN in the new banking portal?
iban|fr|-|La référence SEPA du prélèvement est {iban_bad}, à vérifier.
iban|en|-|Reference DE00 0000 0000 0000 0000 00 is a placeholder in the template.
card|fr|card|Ma carte c'est la {visa}, exp 09/27, tu peux réserver l'hôtel ?
card|fr|card|J'ai payé avec la carte de la boîte {cb}, code au dos demandé.
card|en|card|Card number {mc} expiring 11/26 for the conference booking.
card|en|card|Use the corporate Amex {amex} for the flights.
card|fr|card|Numéro de la carte affaires : {mc2}
card|en|card|Could you charge {visa_c} for the team dinner?
card|fr|card|La CB du service est la {cb}, ne la diffusez pas.
card|en|card|My new card is {mc}, the old one was cancelled.
card|fr|card|Pour le salon, utilisez la carte Mastercard {mc2} du département.
card|en|card|Amex ending in ... well here it is in full: {amex}
card|fr|-|Le numéro {card_bad} n'est pas une carte valide, le terminal l'a refusé.
card|en|-|Tracking number {card_bad_c} for the parcel from the printer.
card|fr|-|Numéro de contrat {digits16} à rappeler dans toute correspondance.
card|en|-|Order reference {card_bad} has been shipped.
card|fr|-|Le code EAN du produit est {ean}, à mettre sur l'étiquette.
card|en|-|The barcode {ean} on the box does not scan.
card|fr|-|Le test utilise la séquence 1234 5678 9012 3456, évidemment fausse.
nir|fr|nir|Mon numéro de sécu pour la mutuelle : {nir}
nir|fr|nir|NIR du salarié : {nir_c}, à transmettre à la médecine du travail.
nir|fr|nir|Pour le dossier de prévoyance, son numéro de sécurité sociale est le {nir}.
nir|fr|nir|Numéro INSEE de la nouvelle recrue (née en Corse) : {nir_corse}
nir|en|nir|Her French social security number is {nir}, for the health insurance form.
nir|en|nir|Attached the onboarding form; NIR {nir_corse} goes in box 4.
nir|fr|nir|Carte vitale de Paul : {nir_c}
nir|en|nir|Social security no. {nir_c} for the payroll setup.
nir|fr|-|Le numéro {nir_bad} est refusé par l'URSSAF : clé invalide.
nir|en|-|The number {nir_bad} fails the key check, please ask the employee again.
nir|fr|-|Le numéro de sécu comporte 15 chiffres, dont une clé de 2 chiffres.
nir|fr|-|Référence du dossier : 2025 06 14 001 002 03, merci de la rappeler.
company|fr|siren|Le client est immatriculé au RCS de Lyon sous le numéro {siren}.
company|fr|siren|SIREN du nouveau fournisseur : {siren_c}
company|fr|siret|Merci d'indiquer notre SIRET {siret} sur la facture.
company|fr|siret|SIRET de l'agence de Bordeaux : {siret_c}.
company|en|siret|Our establishment number (SIRET) is {siret}.
company|fr|siret|Pour le bureau de poste, le SIRET est {siret_poste}.
company|en|siren|Company registered under SIREN {siren}, Paris trade register.
company|fr|siret|Adresse de facturation : 12 rue des Lilas, 69003 Lyon – {siret}
company|fr|-|Le SIREN {siren_bad} n'existe pas dans la base Sirene, clé fausse.
company|fr|-|Commande n° {order} livrée le {date}.
company|en|-|Invoice {invoice} is due on {date}.
company|fr|-|Nous avons vendu 123 456 789 bouteilles depuis la création.
company|en|-|The population of the region is about 5 236 847 people.
company|fr|-|Le numéro de facture {invoice} apparaît deux fois dans l'export.
email|fr|email_list|Liste des participants : {email}, {email}, {email}, {email}
email|en|email_list|Can you add {email}, {email} and {email} to the distribution list?
email|fr|email_list|Voici les contacts du client : {email} ; {email} ; {email}
email|en|email_list|Export of the newsletter subscribers: {email} {email} {email} {email} {email}
email|fr|email_list|En copie : {email}, {email}, {email}.
email|en|email_list|Contacts at the partner: {email} (sales), {email} (legal), {email} (IT)
email|fr|-|Bonne journée,\nCamille Martin – Service achats – {email}
email|en|-|Best regards, James Smith | {email} | Product team
email|fr|-|Pour toute question, écrivez à {email} ou à {email}.
email|en|-|Send your feedback to {email}.
email|fr|-|Le format des adresses est prénom.nom@entreprise.fr, comme d'habitude.
email|en|-|Ping @camille.martin and @hugo.roux on this thread.
phone|fr|phone_list|Numéros d'astreinte : {phone_fr}, {phone_fr}, {phone_fr}
phone|fr|phone_list|Les commerciaux : Julien {phone_fr}, Sarah {phone_fr}, Hugo {phone_fr}, Léa {phone_fr}
phone|en|phone_list|On-call rota: {phone_intl}, {phone_intl}, {phone_intl}
phone|en|phone_list|Call list for the event: {phone_us}, {phone_us}, {phone_us}
phone|fr|phone_list|Fichier prospects : {phone_fr} ; {phone_fr} ; {phone_fr} ; {phone_intl}
phone|en|phone_list|Numbers of the drivers: {phone_fr} / {phone_fr} / {phone_intl}
phone|fr|-|Pour me joindre : {phone_fr}. Bonne journée !
phone|en|-|Call me on {phone_intl} if the train is late.
phone|fr|-|Standard : {phone_fr} – Fax : {phone_fr}
phone|fr|-|Références produits : réf. 0612345678, réf. 0698765432, réf. 0711223344
phone|en|-|The SKUs are SKU 0145678923, SKU 0156473829 and SKU 0178563412.
phone|fr|-|Rendez-vous le {date} à 14 h, salle 0412.
phone|en|-|Release {version} shipped on {date}.
phone|fr|-|Les codes postaux concernés sont {postcode}, {postcode} et {postcode}.
salary|fr|salary|Son salaire est de {money} brut annuel.
salary|fr|salary|La rémunération proposée est de 48 000 € bruts par an.
salary|fr|salary|Pour info, mon salaire net mensuel est de 2 350 euros.
salary|fr|salary|On lui propose 55k€ brut + variable, il hésite.
salary|en|salary|Her salary is $95,000 per annum plus bonus.
salary|en|salary|The offer: base pay of £52,000, 25 days of leave.
salary|en|salary|He asked for a raise to €60,000 a year.
salary|fr|salary|Augmentation accordée : il passe à 3 100 € net par mois.
salary|en|salary|Compensation for the role: 70k€ gross annual.
salary|fr|salary|Fiche de paie de mars : 2 870,45 € net à payer.
salary|en|salary|Payroll note: Sarah's wage goes up to 2 400 € a month.
salary|fr|salary|Le package de Thomas monte à 85 000 € avec la part variable.
salary|fr|-|Le billet de train coûte 89 € aller-retour.
salary|en|-|The booth at the trade fair cost us $4,500.
salary|fr|-|Le chiffre d'affaires du trimestre atteint 1,2 M€.
salary|fr|-|Budget du projet : {money}, validé en comité.
salary|en|-|We raised €2 million in the seed round.
salary|fr|-|Le salaire n'est pas un sujet tabou : parlons-en à l'entretien annuel.
salary|en|-|Salary reviews happen in March; the calendar is on the intranet.
salary|fr|-|La marge brute progresse de 3 points à 42 %.
salary|en|-|Tickets are 25 € for members and 40 € for guests.
salary|fr|-|Prime de bienvenue pour les nouveaux clients : 30 € offerts sur la première commande.
credential|en|credential|Here is the key for the test bucket: {aws}
credential|en|credential|Use my token {ghp} to clone the repo.
credential|fr|credential|Le bot Slack utilise {slack}, ne le partagez pas.
credential|en|credential|Stripe secret for the shop: {stripe}
credential|fr|credential|Clé API Google Maps : {google}
credential|fr|credential|Identifiant : admin / mot de passe : {password}
credential|en|credential|The wifi password is {password}
credential|fr|credential|mdp : {password} (à changer à la première connexion)
credential|en|credential|password={password}
credential|en|credential|Connection string: postgres://app:{password}@db.internal:5432/app
credential|en|credential|-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7{google}\n-----END RSA PRIVATE KEY-----
credential|fr|credential|Voici la clé du serveur : -----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA -----END OPENSSH PRIVATE KEY-----
credential|fr|-|Mot de passe oublié ? Cliquez sur « Réinitialiser ».
credential|en|-|Password: ******** (ask IT for a reset).
credential|fr|-|Le mot de passe doit contenir 12 caractères dont un chiffre.
credential|en|-|Never share your password, even with IT.
credential|fr|-|La clé publique est dans le dépôt : -----BEGIN PUBLIC KEY----- MFkwEwYH -----END PUBLIC KEY-----
credential|en|-|Set password: ${DB_PASSWORD} in the compose file, not the value.
credential|fr|-|Mot de passe : voir le coffre-fort de l'équipe.
credential|en|-|The API key goes in the environment, see the docs page.
credential|en|-|The stripe publishable key pk_live_51H8zZ is fine in the front-end.
credential|fr|-|Le token expire au bout de 30 jours, pensez à le renouveler.
term|fr|confidential_term|Point d'étape sur le Projet Aurore jeudi à 10 h.
term|fr|confidential_term|Les chiffres d'Hélios ne doivent pas sortir du comité.
term|en|confidential_term|Kestrel launch slipped to Q3, keep it quiet.
term|fr|confidential_term|Réunion sur l'opération mistral demain matin.
term|en|confidential_term|The NORDLICHT deal is close to signing.
term|fr|confidential_term|Le projet aurore avance bien, on en reparle.
term|fr|confidential_term|Qui a les slides HELIOS à jour ?
term|en|confidential_term|Status of Operation… sorry, of Opération Mistral: green.
term|fr|-|Magnifique aurore boréale en Norvège pendant mes congés !
term|en|-|The kestrels are nesting on the roof of building B again.
term|fr|-|Le mistral souffle fort à Marseille aujourd'hui.
term|en|-|Helioscope pictures from the astronomy club are online.
term|fr|-|L'héliosphère était le thème de la conférence de midi.
term|fr|-|Le projet de l'aurore est un vieux nom de code abandonné en 2010.
mixed|fr|iban,salary|Contrat signé : salaire de 42 000 € brut annuel, versé sur {iban_fr}.
mixed|en|card,credential|Card {visa} and the portal password: {password}
mixed|fr|nir,iban|Dossier mutuelle : NIR {nir}, IBAN {iban_fr}.
mixed|en|email_list,phone_list|Contacts: {email} {phone_intl}, {email} {phone_intl}, {email} {phone_intl}
mixed|fr|confidential_term,salary|Projet Aurore : le salaire du futur directeur sera de 120 k€.
mixed|fr|siret,iban|Fournisseur : SIRET {siret}, IBAN {iban_fr}.
neg|fr|-|Réunion d'équipe le {date} à 9 h 30 en salle Everest.
neg|fr|-|La version {version} corrige le bug d'export.
neg|en|-|Version {version} is out, please update before {date}.
neg|fr|-|Livraison prévue au {postcode}, bâtiment C.
neg|fr|-|Commande {order} : 12 chaises, 3 tables, livraison le {date}.
neg|en|-|Order {order} is waiting for approval.
neg|fr|-|Facture {invoice} réglée le {date}, merci la compta.
neg|en|-|Please pay invoice {invoice} before the end of the month.
neg|fr|-|Le code article {ean} est en rupture.
neg|en|-|Item code {ean} is out of stock.
neg|fr|-|On a battu le record : 1 254 987 visites en 2025.
neg|en|-|We processed 4 521 336 events last night.
neg|fr|-|Le bâtiment fait 12 500 m² sur 3 étages.
neg|fr|-|Rendez-vous au 12 rue de la Paix, 75002 Paris.
neg|en|-|Meeting room 4.12, second floor, from 14:00 to 15:30.
neg|fr|-|Score NPS : 42, en hausse de 7 points.
neg|en|-|The new laptop costs 1 299 € and ships in 3 days.
neg|fr|-|Le dossier 2024-118-0042 est clos.
neg|en|-|Ticket #48213 was closed as a duplicate of #48190.
neg|fr|-|Vol AF1234 départ 07:45, arrivée 09:10.
neg|fr|-|Coordonnées GPS du site : 45.7640, 4.8357.
neg|en|-|The ISBN of the book is 978-2-07-036822-8.
neg|fr|-|La subvention de 15 000 € a été versée à l'association.
neg|en|-|Our annual revenue grew to $3.4 million.
neg|fr|-|Le parking coûte 4,50 € de l'heure.
neg|en|-|Build 20250614.3 failed on the integration tests.
neg|fr|-|Merci à tous pour la journée d'intégration, photos à venir !
neg|en|-|Lunch and learn on Thursday: bring your questions.
neg|fr|-|Le numéro de série {digits16} figure sous l'appareil.
neg|en|-|Serial number {card_bad_c} is printed under the device.
neg|fr|-|Le taux de TVA passe à 20 % au 1er janvier.
neg|en|-|Our NPS went from 31 to 44 between Q1 and Q2.
neg|fr|-|Les horaires : 08 30 – 12 00 et 13 30 – 17 30.
neg|en|-|Phone extension 4412 for the help desk.
neg|fr|-|Appelez le standard au 3949 ou passez à l'accueil.
neg|fr|-|Le lot 2025-06-A de bocaux est prêt à l'expédition.
neg|en|-|The dashboard shows 98.7% uptime for May.
neg|fr|-|Nous recrutons ! Salaire selon profil, télétravail possible.
neg|en|-|Competitive salary and great benefits, apply now.
neg|fr|-|Le mot « confidentiel » doit figurer en en-tête des comptes rendus.
neg|en|-|Password managers are the best way to keep your accounts safe.
neg|fr|-|N° client 4970101234 : merci de le rappeler.
neg|fr|-|Le colis {card_bad_c} est en cours d'acheminement.
neg|en|-|Coupon code SUMMER2025 gives 10 % off.
iban|en|iban|Rent goes to {iban_de} on the first of each month.
iban|fr|iban|RIB de la salle des fêtes pour la caution : {iban_fr}
card|en|card|Booking done with card {amex}, receipt attached.
card|fr|-|Code de réservation : {card_bad}, à présenter à l'accueil.
nir|fr|nir|Sécu : {nir_c} (pour l'arrêt maladie).
nir|en|-|Batch 1 85 05 78 006 084 12 of the pallets was recalled.
company|fr|siren|Société Dufour, SIREN {siren}, capital de 10 000 €.
company|en|-|Case number 482 193 576 at the tribunal, hearing on {date}.
email|en|email_list|Attendees: {email}; {email}; {email}; {email}; {email}; {email}
email|fr|-|Merci Sophie ! — Hugo Roux, {email}, 06 xx xx xx xx
phone|en|phone_list|Branch phones: Paris {phone_fr}, London {phone_intl}, New York {phone_us}
phone|fr|-|Horaires d'ouverture : lundi au vendredi, 9 h – 18 h, tél. {phone_fr}.
salary|en|salary|Jane's annual salary will be £61,500 from April.
salary|fr|salary|Rémunération : 38 k€ fixe annuel + tickets restaurant.
salary|fr|-|La cotisation annuelle est de 120 € par adhérent.
salary|en|-|The package weighs 2 kg and costs $35 to ship.
credential|en|credential|aws_secret_access_key = {ghp}
credential|fr|credential|Le mot de passe du compte partagé est {password}, ne le diffusez pas.
credential|en|-|Reset your password at the self-service portal.
credential|fr|-|Mot de passe : identique à celui de la messagerie.
term|en|confidential_term|Has anyone seen the Hélios budget sheet?
term|fr|-|La salle Mistral est réservée tout l'après-midi.
neg|fr|-|Le séminaire aura lieu du 14 au 16 octobre 2025 à Annecy (74000).
neg|en|-|Flight BA 304 leaves at 18:25 from gate 42.
neg|fr|-|Notre stand porte le numéro B-2231, hall 4.
neg|en|-|Quarterly results: revenue up 12 %, costs down 3 %.
neg|fr|-|Le devis n° 2025-0412 s'élève à 7 800 € HT.
neg|en|-|Use coupon 4111-2222 at checkout for the team discount.
neg|fr|-|Résultat du sondage : 64 % pour, 28 % contre, 8 % sans avis.
"""


def templates() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in TEMPLATES.strip().splitlines():
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
    return re.sub(r"\{(\w+)\}", lambda m: VALUES[m.group(1)](), text)


def build() -> list[tuple[str, str, str, str, str]]:
    rows = templates()
    halves = split(rows)
    out = []
    for i, (category, language, kinds, text) in enumerate(rows):
        times = INSTANCES if "{" in text and not text.startswith("Set password") else 1
        for n in range(times):
            sentence = fill(text) if "{DB_" not in text else text
            out.append((f"{category}-{i:03d}-{n}", halves[i], language, kinds, sentence))
    return out


def main() -> None:
    lines = ["id\tsplit\tlanguage\tkinds\tsentence"]
    for row_id, half, language, kinds, sentence in build():
        lines.append("\t".join([row_id, half, language, kinds, sentence.replace("\n", "\\n")]))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} sentences written to {OUT}")


if __name__ == "__main__":
    main()

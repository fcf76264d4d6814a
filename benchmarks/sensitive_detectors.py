"""The cost of the sensitive-data detectors on a post, side by side with the post's rendering.

    .venv/bin/python benchmarks/sensitive_detectors.py [--posts 400] [--rounds 5] [--json F]

Posts are realistic French posts of 2,000 characters (business chatter with dates, amounts,
percentages, versions, room numbers, a link, mentions, a signature with one address), one in
ten carrying something sensitive (an IBAN, a salary, a list of phone numbers, a password…).
The organisation watches 50 confidential terms.

For each post, in one run and alternating the order each round:
- **off**: what publishing does to the text today (`conversations.rendering.render`:
  Markdown, mentions, sanitising);
- **on**: the same plus `Policy.check` with every detector switched on (warn everywhere,
  SIREN/SIRET included: the worst case) and the 50 watched terms;
- **detectors**: `Policy.check` alone (what is added), and with the default policy.

p50/p95 are over every (post, round) timing, wall clock and this thread's CPU time (on a
machine shared with other work the wall-clock tail measures the scheduler, not the code).
The goal (issue "Trust and safety"): detectors and watched words add at most 2 ms p95 to a
2,000-character post.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rucher.conversations.rendering import render
from rucher.sensitive import Kind, Policy, SpaceKind

POST_LENGTH = 2000
SEED = 7

SENTENCES = [
    "Bonjour à tous, petit point d'étape sur le déploiement du nouvel intranet.",
    "La réunion de lancement aura lieu le 14/03/2025 à 9 h 30 en salle Everest (bâtiment B).",
    "Merci à @camille.martin et @hugo.roux pour leur aide sur la migration !",
    "Le taux d'adoption atteint 64 % après trois semaines, contre 41 % pour l'ancien outil.",
    "La version 3.12.4 corrige le bug d'export signalé la semaine dernière.",
    "Le budget du projet reste à 125 000 € HT, conforme au prévisionnel.",
    "Les inscriptions au séminaire d'Annecy (74000) ferment le 30 septembre.",
    "Vous trouverez le compte rendu complet sur https://intranet.exemple.fr/cr/2025-06.",
    "Nous avons reçu 1 254 réponses au questionnaire, merci pour votre participation.",
    "Le colis CMD-448213 a été livré au service courrier ce matin.",
    "Pensez à valider vos notes de frais avant le 5 du mois prochain.",
    "L'équipe support a traité 3 482 tickets au premier trimestre, soit 12 % de plus.",
    "Le parking du site de Lyon sera fermé du 12 au 16 août pour travaux.",
    "Prochaine formation sécurité : jeudi 14 h, salle 4.12, inscription sur l'agenda.",
    "#qualité #amélioration-continue : les retours clients sont en nette progression.",
    "Le devis FA-2025-0918 de 7 800 € a été validé par les achats.",
    "Rappel : le télétravail reste possible deux jours par semaine, selon l'accord.",
    "La nouvelle imprimante du 3e étage accepte enfin le recto-verso couleur.",
    "Le chiffre d'affaires du trimestre progresse de 8,5 % à 2,4 M€.",
    "Nous accueillons cette semaine Léa, Mathieu et Inès dans l'équipe produit.",
    "Le webinaire de mardi est disponible en replay, durée 47 minutes.",
    "L'audit ISO 9001 est prévu les 2 et 3 octobre, merci de préparer vos dossiers.",
    "Le score NPS passe de 31 à 44 entre le T1 et le T2, belle progression.",
    "Pour toute question, le standard répond au 01 42 68 53 00 de 9 h à 18 h.",
    "Les tickets #48213 et #48190 ont été fusionnés.",
    "Le stand porte le numéro B-2231, hall 4, au salon de Villepinte.",
    "Le vol AF1234 est décalé à 10 h 15, le taxi est prévenu.",
    "Bravo à l'équipe logistique : zéro retard de livraison en mai !",
    "La cantine propose désormais un menu végétarien tous les jours.",
    "Le nouveau process de recrutement est documenté dans l'espace RH.",
]
SIGNATURE = "\n\nBonne journée,\nCamille Martin – Service achats – camille.martin@exemple.fr"
SENSITIVE = [
    "Au passage, mon IBAN pour le remboursement : FR14 2004 1010 0505 0001 3M02 606.",
    "Pour info, son salaire passe à 48 000 € brut annuel à partir de janvier.",
    "Astreinte : 06 12 34 56 78, 07 81 23 45 67, 01 42 68 53 00.",
    "Le mot de passe du compte partagé est Printemps2025!, merci de ne pas le diffuser.",
    "Point confidentiel sur le Projet Aurore à la fin de la réunion.",
]
_CODES = ["Alpha", "Bravo", "Charlie", "Delta", "Écho", "Foxtrot", "Golf", "Hôtel", "India"]
TERMS = (
    "Projet Aurore",
    "Hélios",
    "Kestrel",
    "Opération Mistral",
    "Nordlicht",
    *(f"Code {name} {n}" for n, name in enumerate(_CODES * 5)),
)


def posts(count: int) -> list[str]:
    rng = random.Random(SEED)
    out = []
    for i in range(count):
        parts: list[str] = []
        if i % 10 == 0:
            parts.append(rng.choice(SENSITIVE))
        while sum(len(p) + 1 for p in parts) < POST_LENGTH - len(SIGNATURE):
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(SENTENCES))
        body = " ".join(parts)[: POST_LENGTH - len(SIGNATURE)]
        out.append(body + SIGNATURE)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(function: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU (this thread's) milliseconds: on a loaded machine the wall-clock tail is
    the scheduler's, the CPU time is the work's."""
    wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
    function()
    return (time.perf_counter_ns() - wall) / 1e6, (time.thread_time_ns() - cpu) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    texts = posts(args.posts)
    everything_on = Policy.from_dict(
        {"actions": {"*": {kind.value: "warn" for kind in Kind}}, "confidential_terms": TERMS}
    )
    default = Policy.from_dict({"confidential_terms": TERMS})
    for text in texts[:20]:  # warm up: compile, caches, phonenumbers metadata
        render(text)
        everything_on.check(text, SpaceKind.INTERNAL)
        default.check(text, SpaceKind.PARTNER)

    names = ("off", "on", "detectors", "default")
    sides: dict[str, list[float]] = {f"{n}{c}": [] for n in names for c in ("", "_cpu")}
    gc.collect()
    for round_ in range(args.rounds):
        for n, text in enumerate(texts):
            steps: list[tuple[str, Callable[[], object]]] = [
                ("off", lambda t=text: render(t)),
                ("on", lambda t=text: (render(t), everything_on.check(t, SpaceKind.INTERNAL))),
                ("detectors", lambda t=text: everything_on.check(t, SpaceKind.INTERNAL)),
                ("default", lambda t=text: default.check(t, SpaceKind.PARTNER)),
            ]
            if (round_ + n) % 2:
                steps.reverse()
            for name, step in steps:
                wall, cpu = timed(step)
                sides[name].append(wall)
                sides[f"{name}_cpu"].append(cpu)

    flagged = sum(1 for t in texts if everything_on.check(t, SpaceKind.INTERNAL).findings)
    result = {
        "posts": len(texts),
        "rounds": args.rounds,
        "characters": statistics.mean(len(t) for t in texts),
        "posts_flagged": flagged,
        "watched_terms": len(TERMS),
        **{
            f"{name}_{label}_ms": round(percentile(values, q), 4)
            for name, values in sides.items()
            for label, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
    }
    result["added_p95_ms"] = round(result["on_p95_ms"] - result["off_p95_ms"], 4)
    result["added_cpu_p95_ms"] = round(result["on_cpu_p95_ms"] - result["off_cpu_p95_ms"], 4)
    print(
        f"{len(texts)} posts of ~{result['characters']:.0f} characters, {args.rounds} rounds, "
        f"{flagged} flagged, {len(TERMS)} watched terms"
    )
    print(
        f"{'side':38s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}   "
        f"{'CPU p50':>8s} {'CPU p95':>8s} {'CPU p99':>8s}"
    )
    labels = {
        "off": "off: rendering only",
        "on": "on: rendering + every detector",
        "detectors": "every detector alone",
        "default": "default policy alone (partner)",
    }
    for name, label in labels.items():
        print(
            f"{label:38s} {result[f'{name}_p50_ms']:8.3f} {result[f'{name}_p95_ms']:8.3f} "
            f"{result[f'{name}_p99_ms']:8.3f}   {result[f'{name}_cpu_p50_ms']:8.3f} "
            f"{result[f'{name}_cpu_p95_ms']:8.3f} {result[f'{name}_cpu_p99_ms']:8.3f}"
        )
    print(
        f"added at p95 (on - off): {result['added_p95_ms']:.3f} ms wall, "
        f"{result['added_cpu_p95_ms']:.3f} ms CPU (goal: at most 2 ms)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())

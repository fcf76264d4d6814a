"""The cost of the checks before publishing: the sensitive-data detectors and 200 watched
words (mixed plain words and regular expressions), side by side with them off, in one run.

    .venv/bin/python benchmarks/publish_checks.py [--posts 400] [--rounds 5] [--json F]

Posts: the realistic 2,000-character French posts of ``sensitive_detectors.py`` (one in ten
with something sensitive). Watched words: 140 plain words (some of them common words of the
posts, so hits and replacements happen) and 60 regular expressions of the shapes people
write (alternations, optional letters, digit runs, bounded repetitions), each validated as
saving them does.

For each post, in one run and alternating the order each round:
- **off**: what publishing does to the text without the checks (``render``: Markdown,
  mentions, sanitising);
- **on**: the same plus the organisation's default policy with every detector switched on
  (warn everywhere: the worst case) and the 200 watched words (``WatchList.check`` and the
  replacement), as ``conversations.sensitive.check`` runs them (the rules come from the
  cache: no query);
- **words**: the 200 watched words alone.

The goal (issue "Trust and safety"): detectors and watched words add at most 2 ms p95 to a
2,000-character post. Figures: docs/performance.md, docs/watched-words.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rucher.settings")
django.setup()  # rendering translates its messages

from rucher.conversations.rendering import render  # noqa: E402
from rucher.sensitive import Kind, Policy, SpaceKind  # noqa: E402
from rucher.sensitive.watched import (  # noqa: E402
    MatchMode,
    WatchedAction,
    WatchedWord,
    WatchList,
    validate_pattern,
)
from sensitive_detectors import TERMS, percentile, posts, timed  # noqa: E402

COMMON = ["budget", "réunion", "parking", "cantine", "ticket", "audit", "imprimante", "colis"]
STEMS = [
    "arnaque",
    "escroc",
    "idiot",
    "crétin",
    "nul",
    "débile",
    "minable",
    "pourri",
    "bidon",
    "honteux",
    "scandale",
    "mensonge",
    "menteur",
    "voleur",
    "incompétent",
    "lamentable",
    "ridicule",
    "stupide",
    "abruti",
    "imbécile",
]


def watched_words() -> list[WatchedWord]:
    actions = list(WatchedAction)
    words: list[WatchedWord] = []
    plain = [*COMMON, *STEMS, *(f"{stem}{n}" for n in range(6) for stem in STEMS)][:140]
    for n, word in enumerate(plain):
        action = WatchedAction.REPLACE if word in COMMON else actions[n % len(actions)]
        words.append(WatchedWord(n + 1, word, MatchMode.WORD, action, "***"))
    shapes = [
        r"\b{s}s?\b",
        r"\b{s}(?:e|es|s)?\b",
        r"{s}\w{{0,4}}",
        r"\b(?:très|vraiment) {s}\b",
        r"\b{s}[- ]?\d{{2,4}}\b",
        r"(?:^|\s){s}!+",
    ]
    for n in range(60):
        pattern = shapes[n % len(shapes)].format(s=STEMS[n % len(STEMS)])
        validate_pattern(pattern)
        words.append(WatchedWord(1000 + n, pattern, MatchMode.REGEX, WatchedAction.FLAG))
    return words


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    texts = posts(args.posts)
    policy = Policy.from_dict(
        {"actions": {"*": {kind.value: "warn" for kind in Kind}}, "confidential_terms": TERMS}
    )
    words = WatchList(watched_words())

    def checks(text: str) -> None:
        policy.check(text, SpaceKind.INTERNAL)
        words.check(text).replaced(text)

    for text in texts[:20]:  # warm up: compile, caches, phonenumbers metadata
        render(text)
        checks(text)

    sides: dict[str, list[float]] = {
        f"{n}{c}": [] for n in ("off", "on", "words") for c in ("", "_cpu")
    }
    gc.collect()
    for round_ in range(args.rounds):
        for n, text in enumerate(texts):
            steps: list[tuple[str, Callable[[], object]]] = [
                ("off", lambda t=text: render(t)),
                ("on", lambda t=text: (checks(t), render(t))),
                ("words", lambda t=text: words.check(t).replaced(t)),
            ]
            if (round_ + n) % 2:
                steps.reverse()
            for name, step in steps:
                wall, cpu = timed(step)
                sides[name].append(wall)
                sides[f"{name}_cpu"].append(cpu)

    hits = sum(1 for t in texts if words.check(t).hits)
    result = {
        "posts": len(texts),
        "rounds": args.rounds,
        "characters": statistics.mean(len(t) for t in texts),
        "watched_words": len(words),
        "plain_words": sum(1 for w in words.words if w.mode == MatchMode.WORD),
        "regular_expressions": sum(1 for w in words.words if w.mode == MatchMode.REGEX),
        "posts_with_a_hit": hits,
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
        f"{len(words)} watched words ({result['plain_words']} plain, "
        f"{result['regular_expressions']} regex), {hits} posts with a hit"
    )
    print(
        f"{'side':40s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}   "
        f"{'CPU p50':>8s} {'CPU p95':>8s} {'CPU p99':>8s}"
    )
    labels = {
        "off": "off: rendering only",
        "on": "on: rendering + detectors + 200 words",
        "words": "200 watched words alone",
    }
    for name, label in labels.items():
        print(
            f"{label:40s} {result[f'{name}_p50_ms']:8.3f} {result[f'{name}_p95_ms']:8.3f} "
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

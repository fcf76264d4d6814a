"""The labelled corpus (corpus.tsv, written by make_corpus.py) and its scoring.

    .venv/bin/python tests/sensitive/sensitive_corpus.py dev       # while tuning
    .venv/bin/python tests/sensitive/sensitive_corpus.py heldout   # the reported figures

A sentence is scored per kind: a kind expected and found is a true positive, found and not
expected a false positive, expected and not found a false negative (several findings of one
kind in a sentence count once: the question is "would this sentence be flagged for that").
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rucher.sensitive import DetectorConfig, Kind, scan

CORPUS = Path(__file__).resolve().parent / "corpus.tsv"
CONFIDENTIAL_TERMS = ("Projet Aurore", "Hélios", "Kestrel", "Opération Mistral", "Nordlicht")
CONFIG = DetectorConfig(confidential_terms=CONFIDENTIAL_TERMS, list_threshold=3)


@dataclass(frozen=True)
class Row:
    id: str
    split: str
    language: str
    expected: frozenset[Kind]
    sentence: str


def rows(split: str | None = None) -> list[Row]:
    out = []
    lines = CORPUS.read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        row_id, half, language, kinds, sentence = line.split("\t")
        if split and half != split:
            continue
        expected = frozenset() if kinds == "-" else frozenset(Kind(k) for k in kinds.split(","))
        out.append(Row(row_id, half, language, expected, sentence.replace("\\n", "\n")))
    return out


@dataclass
class Score:
    tp: Counter[Kind]
    fp: Counter[Kind]
    fn: Counter[Kind]
    errors: list[tuple[Row, frozenset[Kind]]]

    def precision(self, kind: Kind | None = None) -> float:
        tp = self.tp[kind] if kind else sum(self.tp.values())
        fp = self.fp[kind] if kind else sum(self.fp.values())
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, kind: Kind | None = None) -> float:
        tp = self.tp[kind] if kind else sum(self.tp.values())
        fn = self.fn[kind] if kind else sum(self.fn.values())
        return tp / (tp + fn) if tp + fn else 1.0

    def table(self) -> str:
        lines = ["| detector | TP | FP | FN | precision | recall |", "|---|---|---|---|---|---|"]
        for kind in Kind:
            lines.append(
                f"| {kind.value} | {self.tp[kind]} | {self.fp[kind]} | {self.fn[kind]} | "
                f"{self.precision(kind):.3f} | {self.recall(kind):.3f} |"
            )
        lines.append(
            f"| **all** | {sum(self.tp.values())} | {sum(self.fp.values())} | "
            f"{sum(self.fn.values())} | **{self.precision():.3f}** | **{self.recall():.3f}** |"
        )
        return "\n".join(lines)


def score(split: str) -> Score:
    result = Score(Counter(), Counter(), Counter(), [])
    for row in rows(split):
        found = frozenset(f.kind for f in scan(row.sentence, CONFIG))
        for kind in found & row.expected:
            result.tp[kind] += 1
        for kind in found - row.expected:
            result.fp[kind] += 1
        for kind in row.expected - found:
            result.fn[kind] += 1
        if found != row.expected:
            result.errors.append((row, found))
    return result


if __name__ == "__main__":
    half = sys.argv[1] if len(sys.argv) > 1 else "dev"
    result = score(half)
    print(f"{half}: {len(rows(half))} sentences")
    print(result.table())
    for row, found in result.errors:
        expected = ",".join(sorted(row.expected)) or "-"
        print(
            f"  {row.id}: expected {expected}, found {','.join(sorted(found)) or '-'}: "
            f"{row.sentence!r}"
        )

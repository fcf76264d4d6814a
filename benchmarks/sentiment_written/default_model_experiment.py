"""Does the default sentiment model gain from more written sentences? (docs/insights.md,
"The default model", "Tried in December 2026").

Fits the default model (logistic regression, C = 0.3, USE vectors) on the shipped sentences
with and without ``extra_{fr,en}.tsv`` (431 more sentences written for rucher, Apache-2.0:
long multi-sentence reviews of series, films, books, products and workplace life, negations,
"good but…" contrasts, lower-cased tokenised variants) and prints, per held-out file,
accuracy of the model alone / of the three-vote out-of-the-box score, ROC AUC and the share
predicted positive. Held-out files (never trained on): ``--shared`` (default
../shared/data/sentiment).
Usage: ``python benchmarks/sentiment_written/default_model_experiment.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from rucher.insights import sentiment_default
from rucher.insights.sentiment_lexicon import lexicon_scores
from rucher.insights.sentiment_model import embed, prototype_scores

HERE = Path(__file__).parent


def read(path: Path, label_first: bool) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            a, b = line.split("\t", 1)
            label, text = (a, b) if label_first else (b, a)
            texts.append(text.strip())
            labels.append(int(label.strip()))
    return texts, np.asarray(labels)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path("../shared/data/sentiment"))
    args = parser.parse_args()
    held_out = {
        "Allociné TV dev": (args.shared / "fr-allocine-tv/dev.tsv", True, "fr"),
        "Allociné TV train": (args.shared / "fr-allocine-tv/train.tsv", True, "fr"),
        "UCI Amazon": (args.shared / "en-uci/amazon_cells_labelled.txt", False, "en"),
        "UCI IMDb": (args.shared / "en-uci/imdb_labelled.txt", False, "en"),
    }
    scored = {}
    for name, (path, label_first, lang) in held_out.items():
        texts, labels = read(path, label_first)
        vectors = embed(texts)
        votes = prototype_scores(vectors) + lexicon_scores(texts, lang)[:, 3]
        scored[name] = (vectors, votes, labels)
    shipped, shipped_labels = sentiment_default.training_sentences()
    extra_texts, extra_labels = [], []
    for lang in ("fr", "en"):
        texts, labels = read(HERE / f"extra_{lang}.tsv", True)
        extra_texts += texts
        extra_labels += labels.tolist()
    variants = {
        "shipped (396)": (shipped, shipped_labels),
        "shipped + extra (827)": (
            shipped + extra_texts,
            np.concatenate([shipped_labels, extra_labels]),
        ),
    }
    for variant, (texts, labels) in variants.items():
        model = LogisticRegression(C=sentiment_default.C, max_iter=5000)
        model.fit(embed(texts), labels)
        print(variant)
        for name, (vectors, votes, truth) in scored.items():
            alone = np.tanh(model.decision_function(vectors))
            combined = (alone + votes) / 3
            print(
                f"  {name}: alone {((alone > 0) == truth).mean():.3f}, "
                f"out of the box {((combined > 0) == truth).mean():.3f}, "
                f"AUC {roc_auc_score(truth, alone):.3f} / {roc_auc_score(truth, combined):.3f}, "
                f"predicted positive {(alone > 0).mean():.2f} (truth {truth.mean():.2f})"
            )


if __name__ == "__main__":
    main()

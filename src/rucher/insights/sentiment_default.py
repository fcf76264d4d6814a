"""The default sentiment model shipped with rucher: used when the organisation has not learned
its own (``rucher sentiment learn``).

A logistic regression over the multilingual USE sentence vectors (the ones ``meaning``
stores), trained on ``data/sentiment_default/sentences_{fr,en}.tsv``: 396 short opinions
written for rucher (Apache-2.0, like the code), half French and half English, half positive
and half negative, across workplace posts, products, services, events, films and series. No
public review corpus was used: the shared Allociné and UCI sets are research-only, and serve
as held-out evaluation only. The fitted weights (512 + 1 floats) are
``data/sentiment_default/model.npz`` (about 3 KB); ``rucher sentiment train-default``
refits them from the sentences.

Out of the box a text's score is the mean of three votes, each in [-1, 1]: tanh of this
model's decision value, the anchor prototype score and the VADER compound.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "sentiment_default"
MODEL_FILE = DATA / "model.npz"
VERSION = "default-1"
# Inverse regularisation: 0.3 (flat between 0.1 and 1 in cross-validation on the sentences).
C = 0.3


def training_sentences() -> tuple[list[str], np.ndarray]:
    """The shipped sentences and their labels (1 positive, 0 negative), both languages."""
    texts: list[str] = []
    labels: list[int] = []
    for lang in ("fr", "en"):
        for line in (DATA / f"sentences_{lang}.tsv").read_text(encoding="utf-8").splitlines():
            if line.strip():
                label, text = line.split("\t", 1)
                texts.append(text.strip())
                labels.append(int(label))
    return texts, np.asarray(labels, dtype=np.int64)


def fit(embeddings: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=3000).fit(embeddings, labels)
    return np.asarray(model.coef_[0], dtype=np.float32), float(model.intercept_[0])


def save(weights: np.ndarray, intercept: float, path: Path = MODEL_FILE) -> Path:
    np.savez(path, weights=weights.astype(np.float32), intercept=np.float64(intercept))
    _weights.cache_clear()
    return path


@lru_cache(maxsize=1)
def _weights() -> tuple[np.ndarray, float] | None:
    if not MODEL_FILE.is_file():
        return None
    with np.load(MODEL_FILE) as stored:
        return np.asarray(stored["weights"], dtype=np.float32), float(stored["intercept"])


def available() -> bool:
    return _weights() is not None


def decision(embeddings: np.ndarray) -> np.ndarray:
    """tanh of the default model's decision value per vector: in (-1, 1); 0 for no vector
    (an empty text) and when the model file is missing."""
    found = _weights()
    if found is None or not len(embeddings):
        return np.zeros(len(embeddings))
    weights, intercept = found
    values = np.tanh(embeddings @ weights + intercept).astype(np.float64)
    values[~embeddings.any(axis=1)] = 0.0
    return values

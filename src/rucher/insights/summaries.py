"""Extractive summaries: the few sentences that best cover a thread or a space's period.

Offline, French and English (any language gets a language-neutral treatment). Each item's
text is cut into sentences; each sentence becomes a TF-IDF vector over ``text.tokenize``
terms (stop words removed, Snowball stems by the item's language); sentences are ranked by
TextRank (PageRank on the graph of their cosine similarities, Mihalcea & Tarau 2004); then
up to ``count`` are picked by maximal marginal relevance (Carbonell & Goldstein 1998), so the
summary does not say the same thing twice. The chosen sentences come back in the order they
were written, each with the item it comes from. The caller passes only what the viewer may
read: this module sees texts, never permissions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from rucher.insights.text import SUPPORTED_LANGUAGES, detect_language, is_filler, tokenize, words

COUNT = 5
MIN_WORDS = 5  # shorter sentences ("Merci !", "+1") summarise nothing
MIN_CONTENT_WORDS = 2  # ... nor do sentences of politeness and filler words
MAX_CHARACTERS = 400  # a longer sentence is cut at a word boundary
DAMPING = 0.85
ITERATIONS = 50
# MMR: λ × centrality − (1 − λ) × similarity to what is already chosen.
MMR_LAMBDA = 0.7
MAX_SENTENCES = 3_000  # the newest sentences beyond this are left out (bounded cost)

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Item:
    """One readable item: its id, its text, its language if known, its position in time."""

    content_id: int
    text: str
    lang: str | None = None


@dataclass(frozen=True)
class SummarySentence:
    content_id: int
    text: str
    score: float  # TextRank centrality, the sum over all sentences is 1


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: cut after . ! ? … and at line breaks; URLs removed."""
    cleaned = _URL.sub("", text or "")
    sentences = []
    for part in _SENTENCE_END.split(cleaned):
        sentence = " ".join(part.split()).strip(" -•*>")
        if sentence:
            sentences.append(_shorten(sentence))
    return sentences


def _informative(sentence: str, lang: str) -> bool:
    """At least MIN_CONTENT_WORDS words that are not stop or filler words: "Merci pour ton
    aide sur ce sujet." or "Je passe te voir vendredi." say nothing a summary needs."""
    known = lang if lang in SUPPORTED_LANGUAGES else None
    content = [w for w in words(sentence) if len(w) > 1 and not is_filler(w, known)]
    return len(content) >= MIN_CONTENT_WORDS


def _shorten(sentence: str) -> str:
    if len(sentence) <= MAX_CHARACTERS:
        return sentence
    return sentence[:MAX_CHARACTERS].rsplit(" ", 1)[0] + "…"


def summarise(items: Sequence[Item], count: int = COUNT) -> list[SummarySentence]:
    """Up to ``count`` sentences that best cover ``items``, in the order they were written.

    Fewer when there are fewer informative sentences; none for an empty input."""
    sentences: list[tuple[int, str, str]] = []  # (content id, sentence, language)
    for item in items:
        lang = item.lang if item.lang in SUPPORTED_LANGUAGES else detect_language(item.text)
        for sentence in split_sentences(item.text):
            if len(sentence.split()) >= MIN_WORDS and _informative(sentence, lang):
                sentences.append((item.content_id, sentence, lang))
    # The same sentence written twice ("Réunion jeudi à 10 h.") counts once.
    seen: set[str] = set()
    unique = []
    for entry in sentences:
        key = entry[1].lower()
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    sentences = unique[-MAX_SENTENCES:]
    if not sentences or count <= 0:
        return []
    vectors = _tf_idf([tokenize(s, lang) for _c, s, lang in sentences])
    similarity = np.asarray((vectors @ vectors.T).todense()) if vectors.nnz else None
    if similarity is None:
        return [SummarySentence(c, s, 0.0) for c, s, _l in sentences[:count]]
    np.fill_diagonal(similarity, 0.0)
    centrality = textrank(similarity)
    chosen = mmr(centrality, similarity, count)
    return [
        SummarySentence(sentences[i][0], sentences[i][1], float(centrality[i]))
        for i in sorted(chosen)
    ]


def _tf_idf(documents: list[list[str]]) -> sparse.csr_matrix:
    vocabulary: dict[str, int] = {}
    rows, cols, values = [], [], []
    for row, terms in enumerate(documents):
        counts: dict[int, int] = {}
        for term in terms:
            column = vocabulary.setdefault(term, len(vocabulary))
            counts[column] = counts.get(column, 0) + 1
        for column, found in counts.items():
            rows.append(row)
            cols.append(column)
            values.append(1.0 + math.log(found))
    matrix = sparse.csr_matrix(
        (values, (rows, cols)), shape=(len(documents), max(1, len(vocabulary)))
    )
    frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
    idf = np.log((1 + len(documents)) / (1 + frequency)) + 1.0
    matrix.data = matrix.data * idf[matrix.indices]
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sparse.csr_matrix(sparse.diags(inverse) @ matrix)


def textrank(similarity: np.ndarray) -> np.ndarray:
    """PageRank over the weighted graph ``similarity`` (symmetric, zero diagonal): the
    stationary centrality of each sentence, summing to 1. A sentence sharing no term with
    any other keeps only the teleport share."""
    n = similarity.shape[0]
    out = similarity.sum(axis=1)
    transition = np.divide(
        similarity, out[:, None], out=np.zeros_like(similarity), where=out[:, None] > 0
    )
    rank = np.full(n, 1.0 / n)
    dangling = out == 0
    for _ in range(ITERATIONS):
        spread = rank[dangling].sum() / n
        rank = (1 - DAMPING) / n + DAMPING * (rank @ transition + spread)
    return rank / rank.sum()


def mmr(centrality: np.ndarray, similarity: np.ndarray, count: int) -> list[int]:
    """Indices picked by maximal marginal relevance, most central first."""
    scale = centrality.max() or 1.0
    relevance = centrality / scale
    chosen: list[int] = []
    candidates = set(range(len(centrality)))
    while candidates and len(chosen) < count:

        def value(i: int) -> tuple[float, int]:
            redundancy = max((similarity[i, j] for j in chosen), default=0.0)
            return (MMR_LAMBDA * relevance[i] - (1 - MMR_LAMBDA) * redundancy, -i)

        best = max(candidates, key=value)
        chosen.append(best)
        candidates.remove(best)
    return chosen

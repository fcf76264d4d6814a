"""Search quality on a Stack Exchange dump: linked and duplicate questions as ground truth.

For every question the site marks (PostLinks.xml) as linked to, or duplicate of, an EARLIER
question, the later question's title and body are the query and the earlier question is the
answer to find, among the questions that existed when the later one was asked (the index as
it stood then: nothing from the future). Three rankings are scored by hit@k and MRR:

- ``words``: BM25 over the index terms (``insights.text.tokenize``: stop words, stems);
- ``meaning``: cosine similarity of sentence vectors (the product's encoder);
- ``product``: ``retrieval.reciprocal_rank_fusion`` of the two, the function search uses.

Pure: no Django (the import contract in pyproject.toml checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import numpy as np
import polars as pl

from rucher.insights.contract import ContractError
from rucher.insights.retrieval import (
    RRF_K,
    Bm25,
    nearest_rows,
    ranking_from_scores,
    reciprocal_rank_fusion,
)
from rucher.insights.text import tokenize

LINKED, DUPLICATE = "1", "3"
# How deep each ranking is read before fusion (and for MRR): a target past it scores 0.
DEPTH = 100


@dataclass(frozen=True)
class LinkedPair:
    query_id: int  # the later question
    target_id: int  # the earlier question it links to


def read_post_links(path: Path) -> list[tuple[int, int, str]]:
    """(PostId, RelatedPostId, LinkTypeId) rows of a PostLinks.xml file."""
    if not path.is_file():
        raise ContractError(f"{path}: required file is missing")
    rows: list[tuple[int, int, str]] = []
    try:
        for _event, element in ET.iterparse(path, events=("end",)):
            if element.tag != "row":
                continue
            attributes = element.attrib
            try:
                rows.append(
                    (
                        int(attributes["PostId"]),
                        int(attributes["RelatedPostId"]),
                        attributes.get("LinkTypeId", ""),
                    )
                )
            except (KeyError, ValueError) as error:
                raise ContractError(
                    f"{path}: a row lacks a numeric PostId/RelatedPostId"
                ) from error
            element.clear()
    except ET.ParseError as error:
        raise ContractError(f"{path}: malformed XML ({error})") from error
    return rows


def linked_pairs(
    links: Sequence[tuple[int, int, str]], questions: pl.DataFrame
) -> list[LinkedPair]:
    """One pair per (later question → earlier question) link, both questions in the dump.

    A link may point either way in time: the later of the two is the query. Pairs are
    deduplicated and returned in the order the queries were asked."""
    created = dict(
        zip(questions["content_id"].to_list(), questions["created_at"].to_list(), strict=True)
    )
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[Any, LinkedPair]] = []
    for post_id, related_id, link_type in links:
        if link_type not in (LINKED, DUPLICATE) or post_id == related_id:
            continue
        if post_id not in created or related_id not in created:
            continue
        later, earlier = (
            (post_id, related_id)
            if created[post_id] > created[related_id]
            else (related_id, post_id)
        )
        if created[later] == created[earlier] or (later, earlier) in seen:
            continue
        seen.add((later, earlier))
        pairs.append((created[later], LinkedPair(later, earlier)))
    pairs.sort(key=lambda item: (item[0], item[1].query_id, item[1].target_id))
    return [pair for _at, pair in pairs]


@dataclass
class Figures:
    hits: int = 0
    reciprocal_ranks: float = 0.0

    def add(self, ranking: Sequence[int], target: int, k: int) -> None:
        if target in ranking:
            rank = ranking.index(target) + 1
            self.reciprocal_ranks += 1.0 / rank
            self.hits += rank <= k

    def as_dict(self, n: int) -> dict[str, float]:
        return {
            "hit_at_k": self.hits / n if n else 0.0,
            "mrr": self.reciprocal_ranks / n if n else 0.0,
        }


def evaluate_search(
    questions: pl.DataFrame,
    pairs: Sequence[LinkedPair],
    embed: Callable[[Sequence[str]], np.ndarray],
    *,
    k: int = 10,
    rrf_k: int = RRF_K,
    on_query: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """hit@k and MRR of words, meaning and product over ``pairs``.

    ``questions``: content_id, created_at, text (title and body), lang. ``embed``: texts →
    unit vectors (n, dim)."""
    ids: list[int] = questions["content_id"].to_list()
    texts: list[str] = [text or "" for text in questions["text"].to_list()]
    langs: list[str | None] = [
        lang if lang in ("fr", "en") else None for lang in questions["lang"].to_list()
    ]
    created = np.array(questions["created_at"].to_list(), dtype=object)
    position = {content_id: index for index, content_id in enumerate(ids)}
    # "unknown" language: no stemming and both stop-word lists (insights.text.tokenize).
    tokens = [tokenize(text, lang or "unknown") for text, lang in zip(texts, langs, strict=True)]
    words_index = Bm25(tokens)
    vectors = embed(texts)
    figures = {name: Figures() for name in ("words", "meaning", "product")}
    for pair in pairs:
        query = position[pair.query_id]
        earlier = np.array([c < created[query] for c in created], dtype=bool)
        words = ranking_from_scores(words_index.scores(tokens[query], among=earlier), ids, DEPTH)
        rows, _similarities = nearest_rows(vectors, vectors[query], DEPTH, allowed=earlier)
        meaning = [ids[row] for row in rows]
        product = [key for key, _score in reciprocal_rank_fusion([words, meaning], k=rrf_k)]
        figures["words"].add(words, pair.target_id, k)
        figures["meaning"].add(meaning, pair.target_id, k)
        figures["product"].add(product[:DEPTH], pair.target_id, k)
        if on_query is not None:
            on_query()
    n = len(pairs)
    report: dict[str, Any] = {name: figure.as_dict(n) for name, figure in figures.items()}
    report.update(n_queries=n, k=k, rrf_k=rrf_k, depth=DEPTH, n_questions=len(ids))
    words_mrr = report["words"]["mrr"]
    report["product_vs_words_mrr"] = report["product"]["mrr"] / words_mrr if words_mrr else None
    return report


def questions_of(content: pl.DataFrame) -> pl.DataFrame:
    """The questions of an imported dump (``load_stackexchange(...).content``)."""
    return (
        content.filter(pl.col("kind") == "question")
        .select("content_id", "created_at", "text", "lang")
        .sort("created_at", "content_id")
    )

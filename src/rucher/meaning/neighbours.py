"""Nearest neighbours by meaning, and what a reader may see of them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.text import Truncator

from rucher.conversations.models import Content
from rucher.insights.retrieval import nearest_rows
from rucher.meaning.ann import nearest_rows_ann
from rucher.meaning.cache import KIND_CODE, vectors
from rucher.meaning.vectors import encode_query

ROOT_KINDS = ("post", "question", "poll")
RELATED_LIMIT = 5
# Candidates read before the permission filter: most of them are usually visible; a reader
# of few spaces may see fewer than the limit (never something they may not read).
OVERSAMPLE = 10
# Below this cosine a "similar question" is noise (USE: paraphrases score 0.6+, unrelated
# texts around 0); chosen on the demo texts, not on any evaluation set.
SIMILAR_QUESTION_MIN = 0.35
RELATED_MIN = 0.2
MIN_QUERY_CHARACTERS = 12
TITLE_CHARACTERS = 90


class Candidate(NamedTuple):
    kind: str
    id: int
    similarity: float


def _kind_mask(kinds: Collection[str] | None, codes: np.ndarray) -> np.ndarray:
    if kinds is None:
        return codes != 255
    unknown = set(kinds) - set(KIND_CODE)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; choose among {sorted(KIND_CODE)}")
    return np.isin(codes, [KIND_CODE[kind] for kind in kinds])


def _nearest_vector(
    query: np.ndarray | None,
    limit: int,
    kinds: Collection[str] | None,
    exclude: Collection[int],
    snapshot: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> list[Candidate]:
    if limit <= 0 or query is None or not np.any(query):
        return []
    matrix, ids, codes = snapshot or vectors.snapshot()
    if not len(ids):
        return []
    allowed = _kind_mask(kinds, codes)
    if exclude:
        allowed &= ~np.isin(ids, list(exclude))
    if vectors.ann is None:  # a small store (or the index still building): exact
        rows, similarities = nearest_rows(matrix, query, limit, allowed=allowed)
    else:
        rows, similarities = nearest_rows_ann(
            matrix,
            query,
            limit,
            codes=[KIND_CODE[kind] for kind in kinds] if kinds is not None else KIND_CODE.values(),
            allowed=allowed,
            candidates=vectors.candidates,
            pending=vectors.pending_rows(),
        )
    names = {code: kind for kind, code in KIND_CODE.items()}
    return [
        Candidate(names[int(codes[row])], int(ids[row]), round(float(similarity), 4))
        for row, similarity in zip(rows, similarities, strict=True)
    ]


def nearest(
    text: str,
    *,
    limit: int,
    kinds: Collection[str] | None = None,
    exclude: Collection[int] = (),
) -> list[Candidate]:
    """The ``limit`` items closest in meaning to ``text``, best first, BEFORE permission
    filtering: pass them through ``visible_candidates`` before showing anything.

    ``kinds``: a subset of post, comment, question, answer, poll (None: all). ``exclude``:
    content ids left out. Empty or blank text: no candidates."""
    if not text or not text.strip():
        return []
    return _nearest_vector(encode_query(text), limit, kinds, exclude)


def nearest_to_item(
    content_id: int, *, limit: int, kinds: Collection[str] | None = None
) -> list[Candidate]:
    """Neighbours of a stored item (itself left out); none while it has no vector yet."""
    snapshot = vectors.snapshot()  # one look at the database for both
    query = vectors.vector_of(content_id, refresh=False)
    return _nearest_vector(query, limit, kinds, (content_id,), snapshot)


def visible_candidates(viewer: Any, candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates ``viewer`` may read, in the same order (one query)."""
    if not candidates:
        return []
    readable = set(
        Content.objects.visible_to(viewer)
        .filter(pk__in=[c.id for c in candidates])
        .values_list("pk", flat=True)
    )
    return [c for c in candidates if c.id in readable]


@dataclass(frozen=True)
class Found:
    """An item as a page lists it: a title (its first words) and where it lives."""

    id: int
    kind: str
    title: str
    url: str
    space_name: str
    similarity: float


def _title(text: str) -> str:
    first_line = next((line.strip(" #*>-") for line in text.splitlines() if line.strip()), "")
    return Truncator(first_line).chars(TITLE_CHARACTERS)


def _found(viewer: Any, candidates: Sequence[Candidate], limit: int, rows: Any) -> list[Found]:
    by_id = {
        c.pk: c
        for c in rows.filter(pk__in=[c.id for c in candidates])
        .select_related("space")
        .only("pk", "kind", "text", "space__name")
    }
    found = []
    for candidate in candidates:
        content = by_id.get(candidate.id)
        if content is None:
            continue
        found.append(
            Found(
                id=content.pk,
                kind=content.kind,
                title=_title(content.text),
                url=reverse("content", args=[content.pk]),
                space_name=content.space.name if content.space else "",
                similarity=candidate.similarity,
            )
        )
        if len(found) == limit:
            break
    return found


def related_items(viewer: Any, root: Content, *, limit: int = RELATED_LIMIT) -> list[Found]:
    """Up to ``limit`` conversations (posts, questions, polls) close in meaning to ``root``
    that ``viewer`` may read: one query for the changes of the matrix, one for the rows."""
    candidates = [
        c
        for c in nearest_to_item(root.pk, limit=limit * OVERSAMPLE, kinds=ROOT_KINDS)
        if c.similarity >= RELATED_MIN
    ]
    if not candidates:
        return []
    return _found(viewer, candidates, limit, Content.objects.visible_to(viewer))


def similar_answered_questions(
    viewer: Any, text: str, *, limit: int = RELATED_LIMIT
) -> list[Found]:
    """Questions the viewer may read, close in meaning to ``text`` (a question being typed),
    that already have an accepted answer the viewer may read."""
    text = (text or "").strip()
    if len(text) < MIN_QUERY_CHARACTERS:
        return []
    candidates = [
        c
        for c in nearest(text, limit=limit * OVERSAMPLE, kinds=("question",))
        if c.similarity >= SIMILAR_QUESTION_MIN
    ]
    if not candidates:
        return []
    accepted = Content.objects.visible_to(viewer).filter(
        root=OuterRef("pk"), kind=Content.Kind.ANSWER, accepted=True
    )
    rows = Content.objects.visible_to(viewer).filter(Exists(accepted))
    return _found(viewer, candidates, limit, rows)

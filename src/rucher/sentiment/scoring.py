"""Scoring and storing each item's sentiment: after each write (subscriber.py) and by
``rucher sentiment backfill``. The model is the insights engine's (``insights.sentiment``):
the organisation's learned model for the item's language when there is one, else the
default model shipped with rucher."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np
import polars as pl
from django.db import transaction
from django.utils import timezone

from rucher.conversations.models import Content
from rucher.insights.sentiment import model_version, score_texts
from rucher.insights.text import SUPPORTED_LANGUAGES
from rucher.sentiment.models import ContentSentiment

PUBLISHED = Content.Status.PUBLISHED
# Characters scored: an opinion is stated early, and the encoder's cost grows with length.
MAX_CHARACTERS = 2_000

Scorer = Callable[[Sequence[str], Sequence[str]], tuple[np.ndarray, list[str]]]


def default_scorer(texts: Sequence[str], languages: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Scores and model versions, one batch per language (declared, else detected); a text
    repeated in the batch (a template, "Merci !") is scored once."""
    scores = np.zeros(len(texts))
    versions = [""] * len(texts)
    groups: dict[str, dict[str, list[int]]] = {}
    for index, (text, language) in enumerate(zip(texts, languages, strict=True)):
        key = language if language in SUPPORTED_LANGUAGES else "auto"
        groups.setdefault(key, {}).setdefault(text, []).append(index)
    for language, by_text in sorted(groups.items()):
        distinct = list(by_text)
        found, detected = score_texts(distinct, language)
        for text, score, lang in zip(distinct, found, detected, strict=True):
            for position in by_text[text]:
                scores[position] = score
                versions[position] = f"{lang}:{model_version(lang)}"
    return scores, versions


def remembering(scorer: Scorer, limit: int = 100_000) -> Scorer:
    """``scorer`` that scores each (text, declared language) once over its life: the model
    is deterministic, so a repeated text gets the same score and version (forgets everything
    past ``limit`` texts to bound memory)."""
    seen: dict[tuple[str, str], tuple[float, str]] = {}

    def score(texts: Sequence[str], languages: Sequence[str]) -> tuple[np.ndarray, list[str]]:
        keys = list(zip(texts, languages, strict=True))
        new = list(dict.fromkeys(key for key in keys if key not in seen))
        if new:
            if len(seen) + len(new) > limit:
                seen.clear()
                new = list(dict.fromkeys(keys))
            found, versions = scorer([t for t, _l in new], [lang for _t, lang in new])
            seen.update(zip(new, zip(found.tolist(), versions, strict=True), strict=True))
        return np.array([seen[key][0] for key in keys]), [seen[key][1] for key in keys]

    return score


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _scorable(content: Content) -> bool:
    root = content.root
    return (
        content.status == PUBLISHED
        and (root is None or root.status == PUBLISHED)
        and bool((content.text or "").strip())
    )


def refresh_sentiment(
    content_ids: Sequence[int], *, force: bool = False, scorer: Scorer = default_scorer
) -> tuple[int, int]:
    """Bring the stored sentiment of these items up to date: (scored, dropped).

    A published item with text is scored unless its row was made from the same text by the
    same model (``force`` rescores anyway); any other item loses its row. Idempotent: events
    may arrive twice or late."""
    ids = sorted(set(content_ids))
    if not ids:
        return 0, 0
    items = {
        c.pk: c
        for c in Content.objects.filter(pk__in=ids)
        .select_related("root")
        .only("pk", "text", "lang", "status", "root__status")
    }
    stored = {s.content_id: s for s in ContentSentiment.objects.filter(content_id__in=ids)}
    to_score: list[tuple[Content, str, str]] = []
    to_drop: list[int] = []
    for content_id in ids:
        content = items.get(content_id)
        if content is None:
            continue  # gone for good: the row went with it (on_delete=CASCADE)
        current = stored.get(content_id)
        if not _scorable(content):
            if current is not None:
                to_drop.append(content_id)
            continue
        text = content.text.strip()[:MAX_CHARACTERS]
        digest = text_hash(text)
        if not force and current is not None and current.text_hash == digest:
            lang = current.lang
            if current.model_version == f"{lang}:{model_version(lang)}":
                continue
        to_score.append((content, text, digest))
    scores, versions = (
        scorer([t for _c, t, _d in to_score], [c.lang or "" for c, _t, _d in to_score])
        if to_score
        else (np.zeros(0), [])
    )
    now = timezone.now()
    with transaction.atomic():
        if to_drop:
            ContentSentiment.objects.filter(content_id__in=to_drop).delete()
        if to_score:
            rows = [
                ContentSentiment(
                    content_id=content.pk,
                    score=float(score),
                    lang=version.split(":", 1)[0],
                    model_version=version,
                    text_hash=digest,
                    scored_at=now,
                )
                for (content, _text, digest), score, version in zip(
                    to_score, scores, versions, strict=True
                )
            ]
            ContentSentiment.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["content"],
                update_fields=["score", "lang", "model_version", "text_hash", "scored_at"],
            )
    return len(to_score), len(to_drop)


def backfill(
    *,
    batch: int = 256,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int, int]:
    """Score every item not yet scored (or scored from another text or model), in id order
    and batches: (seen, scored, dropped). Resumable and idempotent. A text met again in a
    later batch (imports and the demo repeat "Merci !" and templates) reuses its score."""
    ids = Content.objects.order_by("pk").values_list("pk", flat=True)
    seen = scored = dropped = 0
    last = 0
    scorer = remembering(default_scorer)
    while chunk := list(ids.filter(pk__gt=last)[:batch]):
        made, gone = refresh_sentiment(chunk, force=force, scorer=scorer)
        seen, scored, dropped = seen + len(chunk), scored + made, dropped + gone
        last = chunk[-1]
        if progress is not None:
            progress(len(chunk))
    return seen, scored, dropped


def stored_scores(content_ids: Sequence[int] | None = None) -> pl.DataFrame:
    """``content_id, sentiment`` of the stored scores (all, or of these items)."""
    rows = ContentSentiment.objects.order_by("content_id")
    if content_ids is not None:
        rows = rows.filter(content_id__in=list(content_ids))
    pairs = list(rows.values_list("content_id", "score"))
    return pl.DataFrame(
        {"content_id": [p[0] for p in pairs], "sentiment": [p[1] for p in pairs]},
        schema={"content_id": pl.Int64, "sentiment": pl.Float64},
    )

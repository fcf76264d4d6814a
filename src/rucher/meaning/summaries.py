"""The read path of extractive summaries (``insights.summaries``): a thread, or a space over a
period, summarised from the content the viewer may read, and nothing else.

Every item is read through ``Content.objects.visible_to(viewer)`` (the read policy): a
reply the viewer may not read, a deleted or held item, never reaches the summariser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

from rucher.conversations.models import Content
from rucher.conversations.queries import get_visible_content
from rucher.insights.summaries import COUNT, Item, summarise
from rucher.spaces.models import Space

# A busy space's period is summarised from its newest items up to this many.
MAX_ITEMS = 2_000


@dataclass(frozen=True)
class SummaryLine:
    """One sentence of a summary and where it comes from (for the link)."""

    text: str
    content_id: int
    root_id: int  # the thread to open; the sentence's item is its anchor (#c<id>)
    author: str
    created_at: datetime


@dataclass(frozen=True)
class Summary:
    lines: list[SummaryLine]
    items: int  # readable items summarised


def _summary(rows: list[Content], count: int) -> Summary:
    chosen = summarise([Item(c.pk, c.text or "", c.lang or None) for c in rows], count)
    by_id = {c.pk: c for c in rows}
    lines = []
    for sentence in chosen:
        item = by_id[sentence.content_id]
        lines.append(
            SummaryLine(
                text=sentence.text,
                content_id=item.pk,
                root_id=item.root_id or item.pk,
                author=item.author.display_name,
                created_at=item.created_at,
            )
        )
    return Summary(lines, len(rows))


def thread_summary(
    viewer: Any, content_id: int | str, count: int = COUNT
) -> tuple[Content, Summary]:
    """The root of the thread and its summary; NotFound when the viewer may not read it."""
    root = get_visible_content(viewer, content_id)
    if root.root_id is not None:
        root = get_visible_content(viewer, root.root_id)
    rows = list(
        Content.objects.visible_to(viewer)
        .filter(Q(pk=root.pk) | Q(root_id=root.pk))
        .select_related("author")
        .order_by("created_at", "pk")[:MAX_ITEMS]
    )
    return root, _summary(rows, count)


def space_summary(
    viewer: Any,
    space: Space,
    since: datetime | None = None,
    until: datetime | None = None,
    count: int = COUNT,
) -> Summary:
    """The summary of what the viewer may read in ``space`` between ``since`` and ``until``
    (its newest MAX_ITEMS items). The caller has checked the viewer may see the space."""
    rows = Content.objects.visible_to(viewer).filter(space=space)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    newest = list(rows.select_related("author").order_by("-created_at", "-pk")[:MAX_ITEMS])
    newest.reverse()
    return _summary(newest, count)

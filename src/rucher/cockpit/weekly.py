"""The busiest spaces of the week, for the "This week" page: each links to its extractive
summary (``meaning.summaries``, computed when opened, from what the viewer reads), so a
community manager writes the weekly report from the conversations themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from rucher.conversations.models import Content
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space

BUSIEST = 5


@dataclass(frozen=True)
class BusySpace:
    space: Space
    items: int  # posts, questions and replies published since the start of the week


def busiest_spaces(viewer: Person, since: datetime, limit: int = BUSIEST) -> list[BusySpace]:
    """The spaces the viewer reads with the most published items since ``since`` (one grouped
    query, then the spaces themselves)."""
    counted = list(
        Content.objects.filter(
            space_id__in=permissions.readable_spaces(viewer).values("pk"),
            status=Content.Status.PUBLISHED,
            created_at__gte=since,
        )
        .values("space_id")
        .annotate(items=Count("pk"))
        .order_by("-items", "space_id")[:limit]
    )
    spaces = Space.objects.in_bulk([row["space_id"] for row in counted])
    return [
        BusySpace(spaces[row["space_id"]], row["items"])
        for row in counted
        if row["space_id"] in spaces
    ]

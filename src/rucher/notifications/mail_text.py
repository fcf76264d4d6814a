"""What an e-mail says of a notification: the centre's sentence and link, and an excerpt.

The text and the read-policy check are the notification centre's (``queries.shown_by_id``:
a notification about something its recipient may no longer see is not shown, so never
e-mailed); e-mails add an excerpt of the content, loaded for a whole batch in one query.
Sentences come in the active language: callers wrap them in ``translation.override``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import translation

from rucher.conversations.models import Content
from rucher.notifications import queries
from rucher.notifications.models import Notification
from rucher.people.models import Person
from rucher.spaces import permissions

EXCERPT_LENGTH = 240


@dataclass(frozen=True)
class Line:
    """A notification as an e-mail shows it (the sentence already in its reader's language)."""

    notification_id: int
    kind: str
    sentence: str
    excerpt: str
    path: str  # relative: made absolute with RUCHER_BASE_URL by the mail builder
    at: datetime


def shorten(text: str, length: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def excerpts(content_ids: Iterable[int]) -> dict[int, str]:
    """The start of each content's text (one query); nothing of a confidential space's text:
    its reads are recorded where it is shown, and an e-mail is not such a place (the link
    leads to the page that records the read)."""
    ids = list(set(content_ids))
    if not ids:
        return {}
    rows = (
        Content.objects.filter(pk__in=ids)
        .order_by()
        .values_list("pk", "text", "space__confidential")
    )
    return {
        pk: shorten(text, EXCERPT_LENGTH) for pk, text, confidential in rows if not confidential
    }


def _lines(shown: Sequence[queries.Shown], texts: dict[int, str]) -> list[Line]:
    return [
        Line(
            item.id,
            item.kind,
            item.text,
            texts.get(item.notification.content_id or 0, ""),
            item.url,
            item.updated_at,
        )
        for item in shown
    ]


def _readable(reader: Person, rows: Sequence[Notification]) -> list[Notification]:
    """The rows whose subject ``reader`` may still see: the read policy's own querysets, one
    query for content and one for spaces (unordered: an ORDER BY on the policy's queryset
    leads SQLite to walk the whole content index)."""
    content_ids = {row.content_id for row in rows if row.content_id is not None}
    space_ids = {row.space_id for row in rows if row.content_id is None and row.space_id}
    contents = (
        set(
            Content.objects.visible_to(reader)
            .filter(pk__in=list(content_ids))
            .order_by()
            .values_list("pk", flat=True)
        )
        if content_ids
        else set()
    )
    spaces = (
        set(
            permissions.visible_spaces(reader)
            .filter(pk__in=list(space_ids))
            .order_by()
            .values_list("pk", flat=True)
        )
        if space_ids
        else set()
    )
    return [
        row
        for row in rows
        if (row.content_id in contents if row.content_id is not None else row.space_id in spaces)
    ]


def describe_many(
    readers: dict[int, Person], ids_by_reader: dict[int, list[int]], languages: dict[int, str]
) -> dict[int, list[Line]]:
    """The lines of some notifications of many readers (newest first), each in their own
    language, only those they may still see.

    Queries: the rows (one), the read policy per reader (one, two with space notifications),
    the centre's texts per language (``queries.describe``: contents, spaces, actors), the
    excerpts (one). The centre's ``shown_by_id`` would check the policy the same way, but as a
    subquery of every content the reader may see, which costs hundreds of milliseconds per
    reader on a large organisation (SQLite): a digest run of 10,000 people cannot afford it."""
    wanted = [pk for reader_id, ids in ids_by_reader.items() if reader_id in readers for pk in ids]
    if not wanted:
        return {}
    by_reader: dict[int, list[Notification]] = {}
    for row in Notification.objects.filter(pk__in=wanted).order_by("-updated_at", "-id"):
        by_reader.setdefault(row.recipient_id, []).append(row)
    by_language: dict[str, list[Notification]] = {}
    for reader_id, rows in by_reader.items():
        kept = _readable(readers[reader_id], rows)
        by_language.setdefault(languages.get(reader_id, "fr"), []).extend(kept)
    shown: dict[int, list[queries.Shown]] = {}
    for language, rows in by_language.items():
        if not rows:
            continue
        with translation.override(language):
            for item in queries.describe(readers[rows[0].recipient_id], rows):
                shown.setdefault(item.notification.recipient_id, []).append(item)
    texts = excerpts(
        s.notification.content_id
        for items in shown.values()
        for s in items
        if s.notification.content_id
    )
    return {reader_id: _lines(items, texts) for reader_id, items in shown.items()}


def describe(reader: Person, ids: Sequence[int], language: str) -> list[Line]:
    """``describe_many`` for one reader (an e-mail at once)."""
    return describe_many({reader.pk: reader}, {reader.pk: list(ids)}, {reader.pk: language}).get(
        reader.pk, []
    )

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
from rucher.people.models import Person

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
    """The start of each content's text (one query)."""
    ids = list(set(content_ids))
    if not ids:
        return {}
    rows = Content.objects.filter(pk__in=ids).values_list("pk", "text")
    return {pk: shorten(text, EXCERPT_LENGTH) for pk, text in rows}


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


def describe(reader: Person, ids: Sequence[int]) -> list[Line]:
    """The lines of some of one reader's notifications that they may still see (the active
    language), newest first."""
    shown = queries.shown_by_id(reader, ids)
    return _lines(
        shown, excerpts(s.notification.content_id for s in shown if s.notification.content_id)
    )


def describe_many(
    readers: dict[int, Person], ids_by_reader: dict[int, list[int]], languages: dict[int, str]
) -> dict[int, list[Line]]:
    """``describe`` for many readers (the digests), each in their own language: the centre's
    read path per reader (four queries), the excerpts of all in one."""
    shown: dict[int, list[queries.Shown]] = {}
    for reader_id, ids in ids_by_reader.items():
        if ids and reader_id in readers:
            with translation.override(languages.get(reader_id, "fr")):
                shown[reader_id] = queries.shown_by_id(readers[reader_id], ids)
    texts = excerpts(
        s.notification.content_id
        for items in shown.values()
        for s in items
        if s.notification.content_id
    )
    return {reader_id: _lines(items, texts) for reader_id, items in shown.items()}

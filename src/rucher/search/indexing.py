"""Keeping the index true: what a row says about each thing, written after every write.

Every write that changes what can be found appends an event (posted, asked, commented,
answered, shared, edited, deleted, restored, moderated, created_space); ``on_event`` runs after
its commit (``activity/subscribers.py``, on the worker) and re-reads the object's current
state: published content is (re)written, anything else (deleted, hidden, held, gone) is
removed. Handling an event twice, or late, writes the same row: the handler is idempotent.

Who may see a row is never stored here: the read policy decides at query time, so a
membership lost or a space made secret takes effect at once, without reindexing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse

from rucher.activity.subscribers import subscribe
from rucher.conversations.models import Attachment, Content, Topic
from rucher.people.models import Person
from rucher.search.analysis import document_language, index_terms
from rucher.search.models import Entry
from rucher.spaces.models import Space

if TYPE_CHECKING:
    from rucher.activity.models import Event

logger = logging.getLogger("rucher.search")

SUBSCRIBER = "rucher.search.index"
VERBS = (
    "posted",
    "asked",
    "commented",
    "answered",
    "shared",
    "edited",
    "deleted",
    "restored",
    "moderated",
    "created_space",
)
CONTENT_KINDS = tuple(kind.value for kind in Content.Kind)
TITLE_CHARS = 120
TEXT_CHARS = 4000  # what a snippet may be cut from; the terms cover the whole text
FIELDS = ("content_id", "title", "text", "url", "lang", "title_terms", "body_terms", "created_at")


def register() -> None:
    subscribe(*VERBS, handler=on_event, name=SUBSCRIBER)


def on_event(event: Event) -> None:
    """Bring the rows of the event's object up to date (run after the write commits)."""
    if event.object_id is None:
        return
    if event.object_type in CONTENT_KINDS:
        refresh_content([event.object_id])
    elif event.object_type == "person":
        refresh_people([event.object_id])
    elif event.object_type == "space":
        refresh_spaces([event.object_id])


def _title(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1].rstrip() + "…"


def _after_title(body: str, title: str) -> str:
    """The text a snippet is cut from: the body past its first line when that line is the
    whole title (no snippet repeats the title), else the whole body."""
    stripped = body.strip()
    if title and not title.endswith("…") and stripped.startswith(title):
        return stripped[len(title) :].strip()
    return stripped


def _entry(kind: str, object_id: int, title: str, body: str, url: str, **fields: Any) -> Entry:
    lang = document_language(f"{title}\n{body}", fields.pop("declared_lang", ""))
    return Entry(
        kind=kind,
        object_id=object_id,
        title=title[:300],
        text=body[:TEXT_CHARS],
        url=url,
        lang=lang,
        title_terms=index_terms(title, lang),
        body_terms=index_terms(body, lang),
        **fields,
    )


def content_entries(items: Iterable[Content]) -> list[Entry]:
    """Rows for published content, its attachments' names and its topics."""
    rows: list[Entry] = []
    for item in items:
        url = reverse("content", args=[item.pk])
        body = item.text
        poll = getattr(item, "poll", None) if item.kind == Content.Kind.POLL else None
        if poll is not None:
            options = " ".join(option.label for option in poll.options.all())
            body = f"{poll.question}\n{body}\n{options}"
        title = _title(item.text) or _title(body)
        row = _entry(
            item.kind,
            item.pk,
            title,
            _after_title(body, title),
            url,
            content_id=item.pk,
            created_at=item.created_at,
            declared_lang=item.lang,
        )
        # The whole text is searched; the snippet shows what the title does not. Topics are
        # searched words, not shown twice.
        topics = " ".join(topic.name for topic in item.topics.all())
        row.body_terms = index_terms(f"{body}\n{topics}", row.lang)
        rows.append(row)
        for attachment in item.attachments.all():
            rows.append(
                _entry(
                    Entry.Kind.ATTACHMENT,
                    attachment.pk,
                    attachment.name,
                    _title(item.text),
                    url,
                    content_id=item.pk,
                    created_at=attachment.created_at,
                )
            )
        for topic in item.topics.all():
            rows.append(_topic_entry(topic))
    return rows


def _topic_entry(topic: Topic) -> Entry:
    return _entry(
        Entry.Kind.TOPIC, topic.pk, f"#{topic.name}", "", reverse("topic", args=[topic.name])
    )


def person_entries(people: Iterable[Person]) -> list[Entry]:
    rows = []
    for person in people:
        skills = [tag.name for tag in person.skills.all()] + [
            tag.name for tag in person.expertise.all()
        ]
        summary = " · ".join(part for part in (person.job_title, ", ".join(skills)) if part)
        body = "\n".join(part for part in (summary, person.bio) if part)
        rows.append(
            _entry(
                Entry.Kind.PERSON,
                person.pk,
                person.display_name,
                body,
                reverse("profile", args=[person.pk]),
                created_at=person.date_joined,
            )
        )
        # The name is matched as written (names are not stemmed: "Martin" is no verb).
        rows[-1].title_terms = index_terms(f"{person.display_name} {person.username}", "")
    return rows


def space_entries(spaces: Iterable[Space]) -> list[Entry]:
    return [
        _entry(
            Entry.Kind.SPACE,
            space.pk,
            space.name,
            space.description,
            reverse("space", args=[space.slug]),
            created_at=space.created_at,
        )
        for space in spaces
    ]


def content_rows(ids: Sequence[int]) -> Any:
    return (
        Content.objects.filter(pk__in=ids, status=Content.Status.PUBLISHED)
        .select_related("poll")
        .prefetch_related("topics", "attachments", "poll__options")
    )


def people_rows(ids: Sequence[int]) -> Any:
    return Person.objects.filter(pk__in=ids, is_active=True).prefetch_related("skills", "expertise")


def space_rows(ids: Sequence[int]) -> Any:
    return Space.objects.filter(pk__in=ids)


def write(rows: list[Entry]) -> None:
    """Upsert rows (one statement; the FTS5 triggers or the generated column follow)."""
    unique: dict[tuple[str, int], Entry] = {(row.kind, row.object_id): row for row in rows}
    if unique:
        Entry.objects.bulk_create(
            list(unique.values()),
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=[*FIELDS, "indexed_at"],
        )


def refresh_content(ids: Sequence[int]) -> None:
    """Rewrite the rows of these content items; remove those no longer published."""
    with transaction.atomic():
        items = list(content_rows(ids))
        live = {item.pk for item in items}
        gone = [pk for pk in ids if pk not in live]
        if gone:
            Entry.objects.filter(content_id__in=gone).delete()
        if live:
            # Attachments removed since: their rows go (the others are rewritten).
            attachments = Attachment.objects.filter(content_id__in=live).values("id")
            Entry.objects.filter(kind=Entry.Kind.ATTACHMENT, content_id__in=live).exclude(
                object_id__in=attachments
            ).delete()
        write(content_entries(items))


def refresh_people(ids: Sequence[int]) -> None:
    with transaction.atomic():
        people = list(people_rows(ids))
        live = {person.pk for person in people}
        Entry.objects.filter(kind=Entry.Kind.PERSON, object_id__in=ids).exclude(
            object_id__in=live
        ).delete()
        write(person_entries(people))


def refresh_spaces(ids: Sequence[int]) -> None:
    with transaction.atomic():
        spaces = list(space_rows(ids))
        live = {space.pk for space in spaces}
        Entry.objects.filter(kind=Entry.Kind.SPACE, object_id__in=ids).exclude(
            object_id__in=live
        ).delete()
        write(space_entries(spaces))

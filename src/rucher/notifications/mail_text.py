"""What an e-mail says of a notification: one sentence, an excerpt and a link.

The notification centre's own presentation (``notifications/queries.py``, written beside this)
is the reference for the pages; e-mails need the same facts in the recipient's language,
for many recipients at once, without a request. ``describe`` therefore loads what a batch of
notifications names (actors, content, spaces) in a constant number of queries, and checks the
read policy again for each recipient: a notification about something its recipient may no
longer see is left out, never e-mailed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rucher.conversations.models import Content
from rucher.notifications.models import Kind, Notification
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space

TITLE_LENGTH = 70
EXCERPT_LENGTH = 240


@dataclass(frozen=True)
class Line:
    """A notification as an e-mail shows it (the sentence already in the active language)."""

    notification_id: int
    kind: str
    sentence: str
    excerpt: str
    path: str  # relative: made absolute with RUCHER_BASE_URL by the mail builder
    at: datetime


def shorten(text: str, length: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def title_of(content: Content) -> str:
    """A content item's title: the first line of its root's text (a poll: its question)."""
    root = content.root if content.root_id and content.root is not None else content
    first = next((line for line in root.text.splitlines() if line.strip()), root.text)
    return shorten(first.lstrip("# "), TITLE_LENGTH)


def actors_phrase(actor: Person | None, count: int) -> str:
    name = actor.display_name if actor is not None else _("Someone")
    others = max(count - 1, 0)
    if not others:
        return name
    return ngettext("%(name)s and %(count)d other", "%(name)s and %(count)d others", others) % {
        "name": name,
        "count": others,
    }


def sentence(kind: str, actors: str, count: int, title: str, space: str) -> str:
    """One sentence per kind; ``count`` (the actors) picks the verb's number in French."""
    values = {"actors": actors, "title": title, "space": space}
    if kind == Kind.MENTION:
        template = ngettext(
            "%(actors)s mentioned you in “%(title)s”",
            "%(actors)s mentioned you in “%(title)s”",
            count,
        )
    elif kind == Kind.REPLY:
        template = ngettext(
            "%(actors)s replied to “%(title)s”", "%(actors)s replied to “%(title)s”", count
        )
    elif kind == Kind.REACTION:
        template = ngettext(
            "%(actors)s reacted to “%(title)s”", "%(actors)s reacted to “%(title)s”", count
        )
    elif kind == Kind.ANSWER:
        template = ngettext(
            "%(actors)s answered your question “%(title)s”",
            "%(actors)s answered your question “%(title)s”",
            count,
        )
    elif kind == Kind.ACCEPTED_ANSWER:
        template = _("%(actors)s accepted your answer to “%(title)s”")
    elif kind == Kind.INVITATION:
        template = ngettext(
            "%(actors)s invited you to the space “%(space)s”",
            "%(actors)s invited you to the space “%(space)s”",
            count,
        )
    elif kind == Kind.JOIN_REQUEST:
        template = ngettext(
            "%(actors)s asked to join “%(space)s”", "%(actors)s asked to join “%(space)s”", count
        )
    elif kind == Kind.ROLE_CHANGE:
        template = _("Your role in “%(space)s” changed")
    elif kind == Kind.MODERATION:
        template = _("A moderator acted on “%(title)s”")
    else:
        template = ngettext(
            "%(actors)s posted “%(title)s” in “%(space)s”",
            "%(actors)s posted “%(title)s” in “%(space)s”",
            count,
        )
    return template % values


@dataclass
class Loaded:
    """What a batch of notifications names, loaded once for all their recipients."""

    actors: dict[int, Person]
    contents: dict[int, Content]
    spaces: dict[int, Space]


def load(notifications: Sequence[Notification]) -> Loaded:
    """Actors, content (with their roots and spaces) and spaces: three queries at most."""
    actor_ids = {n.last_actor_id for n in notifications if n.last_actor_id}
    content_ids = {n.content_id for n in notifications if n.content_id}
    space_ids = {n.space_id for n in notifications if n.space_id and not n.content_id}
    actors = Person.objects.in_bulk(actor_ids) if actor_ids else {}
    contents = (
        Content.objects.select_related("root", "space").in_bulk(content_ids) if content_ids else {}
    )
    spaces = Space.objects.in_bulk(space_ids) if space_ids else {}
    return Loaded(actors, contents, spaces)


def readable_ids(
    readers: dict[int, Person], notifications: Iterable[Notification], loaded: Loaded
) -> set[int]:
    """The notifications whose subject their recipient may still see (the read policy: one
    query per recipient with content notifications, one per recipient with space ones)."""
    content_by_reader: dict[int, set[int]] = defaultdict(set)
    space_by_reader: dict[int, set[int]] = defaultdict(set)
    for notification in notifications:
        if notification.content_id:
            content_by_reader[notification.recipient_id].add(notification.content_id)
        elif notification.space_id:
            space_by_reader[notification.recipient_id].add(notification.space_id)
    seen_content: dict[int, set[int]] = {}
    seen_spaces: dict[int, set[int]] = {}
    for reader_id, ids in content_by_reader.items():
        seen_content[reader_id] = set(
            Content.objects.visible_to(readers[reader_id])
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
    for reader_id, ids in space_by_reader.items():
        seen_spaces[reader_id] = set(
            permissions.visible_spaces(readers[reader_id])
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
    kept = set()
    for notification in notifications:
        if notification.content_id:
            ok = notification.content_id in seen_content.get(notification.recipient_id, ())
        else:
            ok = notification.space_id in seen_spaces.get(notification.recipient_id, ())
        if ok:
            kept.add(notification.pk)
    return kept


def line_for(notification: Notification, loaded: Loaded) -> Line | None:
    """The notification as one line, in the active language (None: its subject is gone)."""
    actor = loaded.actors.get(notification.last_actor_id or 0)
    actors = actors_phrase(actor, notification.actor_count)
    if notification.content_id:
        content = loaded.contents.get(notification.content_id)
        if content is None:
            return None
        space_name = content.space.name if content.space is not None else ""
        root_id = content.root_id or content.pk
        path = reverse("content", args=[root_id])
        if root_id != content.pk:
            path += f"#c{content.pk}"
        return Line(
            notification.pk,
            notification.kind,
            sentence(
                notification.kind,
                actors,
                notification.actor_count,
                title_of(content),
                space_name,
            ),
            shorten(content.text, EXCERPT_LENGTH),
            path,
            notification.updated_at,
        )
    space = loaded.spaces.get(notification.space_id or 0)
    if space is None:
        return None
    return Line(
        notification.pk,
        notification.kind,
        sentence(notification.kind, actors, notification.actor_count, "", space.name),
        "",
        reverse("space", args=[space.slug]),
        notification.updated_at,
    )


def describe(reader: Person, notifications: Sequence[Notification]) -> list[Line]:
    """The lines of one reader's notifications that they may still see (newest first)."""
    loaded = load(notifications)
    kept = readable_ids({reader.pk: reader}, notifications, loaded)
    lines = [line_for(n, loaded) for n in notifications if n.pk in kept]
    return sorted((line for line in lines if line), key=lambda line: line.at, reverse=True)


def describe_many(
    readers: dict[int, Person], notifications: Sequence[Notification], languages: dict[int, str]
) -> dict[int, list[Line]]:
    """``describe`` for many readers at once (the digests), each in their own language; the
    loads are shared."""
    loaded = load(notifications)
    kept = readable_ids(readers, notifications, loaded)
    by_reader: dict[int, list[Line]] = defaultdict(list)
    for notification in notifications:
        if notification.pk not in kept:
            continue
        with translation.override(languages.get(notification.recipient_id, "fr")):
            line = line_for(notification, loaded)
        if line is not None:
            by_reader[notification.recipient_id].append(line)
    for lines in by_reader.values():
        lines.sort(key=lambda line: line.at, reverse=True)
    return dict(by_reader)

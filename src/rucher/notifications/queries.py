"""The notification centre's one read path: a person's notifications, checked against the
read policy when shown, with a text in the reader's language and a link.

- ``shown_to(person)``: the queryset of what may be shown, newest first. A notification about
  content the person may no longer read (``Content.objects.visible_to``: deleted, moved out of
  reach, a private space they left) or a space they may no longer know of
  (``permissions.visible_spaces``) is neither listed nor counted: the policy is a subquery of
  the same statement.
- ``page(person, cursor, limit)``: one page (cursor on ``(updated_at, id)``, ``rucher.paging``),
  each item described: 4 queries at most whatever the page size (rows, their contents, their
  spaces, the first actors' names), 5 with direct messages (their conversations).
- ``unread_count(person)``: one query (every page's header shows it), none for anonymous.
- ``describe(person, rows)``: texts and links for rows already read through ``shown_to``
  (e-mails and digests call it under ``translation.override(settings.language)``).

Links are built with the web pages' URL names (``content``, ``space``): a notification points
at a page, whichever door asked for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Concat, RowNumber
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext, ngettext_lazy
from django.utils.translation import gettext as _

from rucher import paging
from rucher.conversations.models import Content
from rucher.messaging.models import Conversation, Participant
from rucher.recognition.models import BadgeAward
from rucher.spaces import permissions
from rucher.spaces.models import Space
from rucher.streams import prepared
from rucher.streams.queries import decode_cursor

from .models import Kind, Notification, NotificationActor

NAMED_ACTORS = 3  # names kept per notification (the text names one or two)
TITLE_LENGTH = 60


@dataclass
class Subject:
    # "content" | "space" | "person" (a profile: moderation, kudos) | "badge" | "export"
    # | "conversation" (a direct message: its title, or empty; never a message's words)
    type: str
    id: int
    title: str  # a snippet of the content's text, or the space's name


@dataclass
class Shown:
    """A notification ready to show."""

    notification: Notification
    text: str
    url: str
    actors: list[str]
    subject: Subject

    @property
    def id(self) -> int:
        return int(self.notification.pk)

    @property
    def kind(self) -> str:
        return str(self.notification.kind)

    @property
    def actor_count(self) -> int:
        return int(self.notification.actor_count)

    @property
    def created_at(self) -> datetime:
        return self.notification.created_at

    @property
    def updated_at(self) -> datetime:
        return self.notification.updated_at

    @property
    def read(self) -> bool:
        return self.notification.read_at is not None


@dataclass
class NotificationPage:
    items: list[Shown]
    next_cursor: str | None


def _signed_in(person: Any) -> bool:
    return bool(getattr(person, "is_authenticated", False) and person.is_active)


def shown_to(person: Any) -> QuerySet[Notification]:
    """The notifications ``person`` may see now, newest first (the read policy re-checked)."""
    if not _signed_in(person):
        return Notification.objects.none()
    # Correlated (EXISTS per row), not ``IN (every readable content id)``: the database probes
    # the person's few notifications instead of listing everything they may read.
    readable = Content.objects.visible_to(person).filter(pk=OuterRef("content_id"))
    known = permissions.visible_spaces(person).filter(pk=OuterRef("space_id"))
    # Direct messages: only while the person takes part in the conversation.
    in_conversation = (
        Participant.objects.filter(person_id=person.pk)
        .annotate(key=Concat(Value("conversation:"), Cast("conversation_id", CharField())))
        .filter(key=OuterRef("subject"))
    )
    own_hidden = Content.objects.filter(
        pk=OuterRef("content_id"),
        author_id=person.pk,
        status__in=(Content.Status.HIDDEN, Content.Status.DELETED),
    )
    return (
        Notification.objects.filter(recipient_id=person.pk)
        .filter(
            Q(Exists(readable), content_id__isnull=False)
            | Q(Exists(known), content_id__isnull=True)
            # A moderated author still hears of their content while it is hidden (its page
            # shows it to them, marked) or once the moderators deleted it (told so, with a
            # link to where it was: its page is gone).
            | Q(Exists(own_hidden), kind=Kind.MODERATION)
            | Q(Exists(in_conversation), kind=Kind.DIRECT_MESSAGE)
            # A decision on a profile (its owner, its flaggers): neither content nor a space.
            | Q(
                kind=Kind.MODERATION,
                content_id__isnull=True,
                space_id__isnull=True,
                subject__startswith="profile:",
            )
            # A notice about one's own things (personal.py: "your data download is ready").
            | Q(kind=Kind.EXPORT_READY, content_id__isnull=True, space_id__isnull=True)
            # Kudos received and badges earned (notifications/recognition.py): about the
            # recipient themselves, neither content nor a space.
            | Q(kind__in=(Kind.KUDOS, Kind.BADGE), content_id__isnull=True, space_id__isnull=True)
        )
        .order_by("-updated_at", "-id")
    )


_UNREAD_SHAPES = prepared.ShapeCache(limit=8)


def _unread(person: Any) -> QuerySet[Notification, Any]:
    return (
        shown_to(person)
        .filter(read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(unread=Count("id"))
        .values_list("unread", flat=True)
    )


def unread_count(person: Any) -> int:
    """Unread notifications ``person`` may see: one query (none for anonymous).

    Every page's header shows it, so its SQL is compiled once per shape (guest or not) and
    run with the person's id (``streams/prepared.py``): building the policy's expression cost
    30 times what the database needs to count a person's few unread rows."""
    if not _signed_in(person):
        return 0

    def build() -> QuerySet[Any]:
        return _unread(prepared.StandInReader(is_guest=bool(person.is_guest)))

    query = _UNREAD_SHAPES.get(("unread", bool(person.is_guest)), build, {"reader"})
    found = query.rows({"reader": person.pk})
    return int(found[0][0]) if found else 0


def encode_cursor(row: Notification) -> str:
    """The cursor after ``row``: its (updated_at, id), in the streams' format, so the streams'
    decoder (``rucher.paging`` underneath: a forged cursor is a 422) reads it."""
    return paging.encode_cursor([row.updated_at.isoformat(), row.pk])


def page(
    person: Any, cursor: str | None = None, limit: Any = None, *, unread_only: bool = False
) -> NotificationPage:
    size = paging.page_size(limit)
    rows = shown_to(person)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    if cursor:
        at, anchor = decode_cursor(cursor)
        rows = rows.filter(Q(updated_at__lt=at) | Q(updated_at=at, id__lt=anchor))
    found = list(rows[: size + 1])
    more = len(found) > size
    found = found[:size]
    return NotificationPage(
        describe(person, found), encode_cursor(found[-1]) if more and found else None
    )


def latest(person: Any, count: int = 8) -> list[Shown]:
    """The bell's drop-down: the newest ``count``."""
    return describe(person, list(shown_to(person)[:count]))


def shown_by_id(person: Any, ids: Iterable[int]) -> list[Shown]:
    """Some notifications of ``person``, if they may still see them (e-mails, digests)."""
    return describe(person, list(shown_to(person).filter(pk__in=list(ids))))


# --- presenting ------------------------------------------------------------------------------


MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKDOWN_EMPHASIS = re.compile(r"\*+|`+|~~")
MARKDOWN_BLOCK = re.compile(r"^(?:#{1,6}\s+|>\s*|[-+*]\s+|\d+[.)]\s+)+")


def title_of(text: str) -> str:
    """A short, one-line snippet of a text, as a person reads it (the Markdown marks of its
    first words left out: a heading's '#', emphasis, a link's address)."""
    first = next((line for line in text.splitlines() if line.strip()), text)
    plain = MARKDOWN_EMPHASIS.sub("", MARKDOWN_LINK.sub(r"\1", first))
    plain = " ".join(MARKDOWN_BLOCK.sub("", plain.strip()).split())
    return Truncator(plain or " ".join(text.split())).chars(TITLE_LENGTH)


def content_title(content: Content) -> str:
    """What a notification quotes of a content item. Nothing of a confidential space's text:
    every read of it is recorded where it is shown (``spaces/confidential.py``), and a
    notification (a bell, an e-mail) is not such a place; the link leads to the page that
    records the read."""
    space = content.space
    if space is not None and space.confidential:
        return _("confidential content")
    return title_of(content.text)


def actors_text(names: Sequence[str], count: int) -> str:
    """The people behind a notification: one name, two names, or "Claire and 11 others"."""
    first = names[0] if names else _("Someone")
    if count <= 1:
        return first
    if count == 2 and len(names) >= 2:
        return _("%(first)s and %(second)s") % {"first": first, "second": names[1]}
    others = count - 1
    return ngettext("%(name)s and %(count)s other", "%(name)s and %(count)s others", others) % {
        "name": first,
        "count": others,
    }


def _actor_names(ids: list[int]) -> dict[int, list[str]]:
    """The newest ``NAMED_ACTORS`` actors of each notification, in one query."""
    if not ids:
        return {}
    ranked = (
        NotificationActor.objects.filter(notification_id__in=ids)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("notification_id")], order_by=F("id").desc())
        )
        .filter(rank__lte=NAMED_ACTORS)
        .select_related("actor")
        .order_by("notification_id", "rank")
    )
    names: dict[int, list[str]] = {}
    for row in ranked:
        names.setdefault(row.notification_id, []).append(row.actor.display_name)
    return names


def _content_url(content: Content) -> str:
    if content.parent_id is None:
        return reverse("content", args=[content.pk])
    root = content.root_id or content.parent_id
    return reverse("content", args=[root]) + f"#c{content.pk}"


def _is_reply(content: Content) -> bool:
    return content.kind in (Content.Kind.COMMENT, Content.Kind.ANSWER)


# What each kind says, by what its subject is. The verb agrees with the number of actors
# ("Claire a réagi", "Claire et 11 autres ont réagi"): ``count`` picks the plural form.
CONTENT_TEXTS: dict[tuple[str, str], Any] = {
    (Kind.MENTION, "any"): ngettext_lazy(
        "%(actors)s mentioned you in “%(title)s”",
        "%(actors)s mentioned you in “%(title)s”",
        "count",
    ),
    (Kind.REPLY, "post"): ngettext_lazy(
        "%(actors)s replied to your post “%(title)s”",
        "%(actors)s replied to your post “%(title)s”",
        "count",
    ),
    (Kind.REPLY, "reply"): ngettext_lazy(
        "%(actors)s replied to your comment “%(title)s”",
        "%(actors)s replied to your comment “%(title)s”",
        "count",
    ),
    (Kind.ANSWER, "any"): ngettext_lazy(
        "%(actors)s answered your question “%(title)s”",
        "%(actors)s answered your question “%(title)s”",
        "count",
    ),
    (Kind.ACCEPTED_ANSWER, "any"): ngettext_lazy(
        "%(actors)s accepted your answer to “%(title)s”",
        "%(actors)s accepted your answer to “%(title)s”",
        "count",
    ),
    (Kind.REACTION, "post"): ngettext_lazy(
        "%(actors)s reacted to your post “%(title)s”",
        "%(actors)s reacted to your post “%(title)s”",
        "count",
    ),
    (Kind.REACTION, "reply"): ngettext_lazy(
        "%(actors)s reacted to your comment “%(title)s”",
        "%(actors)s reacted to your comment “%(title)s”",
        "count",
    ),
    (Kind.NEW_POST, "post"): ngettext_lazy(
        "%(actors)s posted in %(space)s: “%(title)s”",
        "%(actors)s posted in %(space)s: “%(title)s”",
        "count",
    ),
    (Kind.NEW_POST, "question"): ngettext_lazy(
        "%(actors)s asked in %(space)s: “%(title)s”",
        "%(actors)s asked in %(space)s: “%(title)s”",
        "count",
    ),
    (Kind.NEW_POST, "profile"): ngettext_lazy(
        "%(actors)s posted “%(title)s”",
        "%(actors)s posted “%(title)s”",
        "count",
    ),
    (Kind.EXPERT_REQUEST, "any"): ngettext_lazy(
        "%(actors)s’s question “%(title)s” still waits for an answer: you may know",
        "%(actors)s’s question “%(title)s” still waits for an answer: you may know",
        "count",
    ),
    (Kind.MODERATION, "any"): ngettext_lazy(
        "Your message “%(title)s” was moderated",
        "Your message “%(title)s” was moderated",
        "count",
    ),
}
SPACE_TEXTS: dict[str, Any] = {
    Kind.MODERATION: ngettext_lazy(
        "The moderators of the space %(space)s reviewed what you flagged",
        "The moderators of the space %(space)s reviewed what you flagged",
        "count",
    ),
    Kind.INVITATION: ngettext_lazy(
        "%(actors)s invited you to the space %(space)s",
        "%(actors)s invited you to the space %(space)s",
        "count",
    ),
    Kind.JOIN_REQUEST: ngettext_lazy(
        "%(actors)s asked to join the space %(space)s",
        "%(actors)s asked to join the space %(space)s",
        "count",
    ),
    Kind.ROLE_CHANGE: ngettext_lazy(
        "%(actors)s changed your role in the space %(space)s",
        "%(actors)s changed your role in the space %(space)s",
        "count",
    ),
}


def _content_form(kind: str, content: Content) -> str:
    if kind in (Kind.REPLY, Kind.REACTION):
        return "reply" if _is_reply(content) else "post"
    if kind == Kind.NEW_POST:
        if content.space is None:
            return "profile"
        return "question" if content.kind == Content.Kind.QUESTION else "post"
    return "any"


def _content_text(kind: str, actors: str, count: int, content: Content) -> str:
    title = content_title(content)
    if kind == Kind.ACCEPTED_ANSWER and content.parent is not None:
        title = content_title(content.parent)  # the question's words, not the answer's
    template = CONTENT_TEXTS.get((kind, _content_form(kind, content)))
    if template is None:
        return f"{actors}: “{title}”"
    space = content.space.name if content.space is not None else ""
    return str(template % {"actors": actors, "title": title, "space": space, "count": count})


def _space_text(kind: str, actors: str, count: int, space: Space) -> str:
    template = SPACE_TEXTS.get(kind)
    if template is None:
        return f"{actors}: {space.name}"
    return str(template % {"actors": actors, "space": space.name, "count": count})


MESSAGE_TEXTS: dict[str, Any] = {
    "one": ngettext_lazy("%(actors)s wrote to you", "%(actors)s wrote to you", "count"),
    "titled": ngettext_lazy(
        "%(actors)s wrote in “%(title)s”", "%(actors)s wrote in “%(title)s”", "count"
    ),
    "group": ngettext_lazy(
        "%(actors)s wrote in a group conversation",
        "%(actors)s wrote in a group conversation",
        "count",
    ),
}


def _conversations(rows: list[Notification]) -> dict[str, Conversation]:
    """The conversations of direct-message rows, by subject, with their size: one query,
    none when there is no such row."""
    ids = {
        int(row.subject.split(":", 1)[1])
        for row in rows
        if row.kind == Kind.DIRECT_MESSAGE and row.subject.startswith("conversation:")
    }
    if not ids:
        return {}
    found = Conversation.objects.filter(pk__in=ids).annotate(size=Count("participants"))
    return {f"conversation:{c.pk}": c for c in found}


def _message_text(actors: str, count: int, conversation: Conversation) -> str:
    """Who wrote and where, never what (a message stays between its participants)."""
    if conversation.title:
        form = "titled"
    else:
        form = "one" if getattr(conversation, "size", 2) <= 2 else "group"
    return str(
        MESSAGE_TEXTS[form] % {"actors": actors, "title": conversation.title, "count": count}
    )


KUDOS_TEXT = ngettext_lazy("%(actors)s gave you kudos", "%(actors)s gave you kudos", "count")


def _badge_names(rows: list[Notification]) -> dict[str, str]:
    """subject -> the badge's name in the active language, for the badge rows: one query
    when there are some, none otherwise."""
    ids = [
        int(row.subject.split(":", 1)[1])
        for row in rows
        if row.kind == Kind.BADGE and row.subject.startswith("badge:")
    ]
    if not ids:
        return {}
    language = get_language() or "fr"
    return {
        f"badge:{award.pk}": award.rule.name_for(language)
        for award in BadgeAward.objects.filter(pk__in=ids).select_related("rule")
    }


def describe(person: Any, rows: list[Notification]) -> list[Shown]:
    """Texts (in the active language) and links for ``rows`` (read through ``shown_to``):
    three queries at most, whatever their number (one more for the conversations when direct
    messages are among them, one more for the badges when badges are)."""
    if not rows:
        return []
    content_ids = {row.content_id for row in rows if row.content_id is not None}
    space_ids = {row.space_id for row in rows if row.content_id is None and row.space_id}
    contents = (
        {
            c.pk: c
            for c in Content.objects.filter(pk__in=content_ids).select_related("space", "parent")
        }
        if content_ids
        else {}
    )
    spaces = {s.pk: s for s in Space.objects.filter(pk__in=space_ids)} if space_ids else {}
    conversations = _conversations(rows)
    names = _actor_names([row.pk for row in rows])
    badge_names = _badge_names(rows)
    shown: list[Shown] = []
    for row in rows:
        actor_names = names.get(row.pk, [])
        actors = actors_text(actor_names, row.actor_count)
        content = contents.get(row.content_id) if row.content_id is not None else None
        if content is not None and content.status == Content.Status.DELETED:
            if row.kind != Kind.MODERATION:  # only its author's moderation outcome
                continue
            text = _("Your message “%(title)s” was deleted by the moderators") % {
                "title": content_title(content)
            }
            subject = Subject("content", content.pk, content_title(content))
            url = (
                reverse("space", args=[content.space.slug])
                if content.space is not None
                else reverse("profile", args=[content.author_id])
            )
        elif content is not None:
            text = _content_text(row.kind, actors, row.actor_count, content)
            subject = Subject("content", content.pk, content_title(content))
            url = _content_url(content)
        elif row.space_id in spaces:
            space = spaces[row.space_id]
            text = _space_text(row.kind, actors, row.actor_count, space)
            subject = Subject("space", space.pk, space.name)
            url = reverse("space", args=[space.slug])
        elif row.kind == Kind.DIRECT_MESSAGE:
            found = conversations.get(row.subject)
            if found is None:
                continue
            text = _message_text(actors, row.actor_count, found)
            subject = Subject("conversation", found.pk, found.title)
            url = reverse("message_thread", args=[found.pk])
        elif row.kind == Kind.MODERATION and row.subject.startswith("profile:"):
            owner = int(row.subject.split(":", 1)[1])
            if owner == person.pk:
                text = _("The moderators reviewed your profile")
            else:
                text = _("The moderators reviewed the profile you flagged")
            subject = Subject("person", owner, "")
            url = reverse("profile", args=[owner])
        elif row.kind == Kind.EXPORT_READY:
            text = _("Your data download is ready")
            subject = Subject("export", int(row.subject.partition(":")[2] or 0), "")
            url = reverse("privacy_settings")
        elif row.kind == Kind.KUDOS:
            text = str(KUDOS_TEXT % {"actors": actors, "count": row.actor_count})
            subject = Subject("person", person.pk, "")
            url = reverse("profile", args=[person.pk]) + "#kudos"
        elif row.kind == Kind.BADGE and row.subject in badge_names:
            name = badge_names[row.subject]
            text = _("You earned the badge “%(name)s”") % {"name": name}
            subject = Subject("badge", int(row.subject.split(":", 1)[1]), name)
            url = reverse("profile", args=[person.pk]) + "#badges"
        else:  # gone between the two reads: not shown
            continue
        shown.append(Shown(row, text, url, actor_names, subject))
    return shown


def my_spaces(person: Any, limit: int = 12) -> list[Any]:
    """The spaces ``person`` is an active member of, for the navigation column, each with
    ``unread``: how many unread notifications about it they have. One query (none for
    anonymous); the spaces come through the read policy (``permissions.readable_spaces``)."""
    if not _signed_in(person):
        return []
    unread = (
        Notification.objects.filter(
            recipient_id=person.pk, read_at__isnull=True, space_id=OuterRef("pk")
        )
        .order_by()
        .values("space_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return list(
        permissions.readable_spaces(person)
        .filter(memberships__person_id=person.pk, memberships__status="active")
        .annotate(unread=Coalesce(Subquery(unread), 0))
        .only("pk", "slug", "name")
        .order_by("name")[:limit]
    )

"""The read paths of direct messages. A conversation is read by its participants only: no
role, not even an administrator's, opens one through the interface or the API.

- ``get_conversation`` / ``get_message``: one query; anything else is "not found" (404).
- ``conversation_page``: my conversations, newest message first, each with the other people,
  the newest message and my unread count: 3 queries whatever the page size.
- ``unread_total``: my unread messages over every conversation, 1 query.
- ``thread``: a page of a conversation's messages (oldest first on the page), their files,
  my reactions, and who has read up to where: 4 queries whatever the page size.

Pinned in ``tests/messaging/test_queries.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from rucher import paging
from rucher.errors import NotFound
from rucher.people.models import Person

from .models import Conversation, Message, MessageAttachment, MessageReaction, Participant

SNIPPET_LENGTH = 80


def _signed_in(person: Any) -> bool:
    return bool(getattr(person, "is_authenticated", False) and person.is_active)


def _as_id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number <= paging.MAX_ID else None


def conversations_of(person: Any) -> QuerySet[Conversation]:
    """The conversations ``person`` takes part in (nothing for anyone else)."""
    if not _signed_in(person):
        return Conversation.objects.none()
    return Conversation.objects.filter(participants__person_id=person.pk)


def get_conversation(person: Any, conversation_id: Any) -> Conversation:
    pk = _as_id(conversation_id)
    found = conversations_of(person).filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(_("conversation not found"))
    return found


def get_message(person: Any, message_id: Any) -> Message:
    pk = _as_id(message_id)
    found = (
        Message.objects.filter(pk=pk, conversation__in=conversations_of(person)).first()
        if pk and _signed_in(person)
        else None
    )
    if found is None:
        raise NotFound(_("message not found"))
    return found


def get_attachment(person: Any, attachment_id: Any) -> MessageAttachment:
    """A file sent in a conversation, for its participants only (404 for anyone else, as if
    it did not exist)."""
    pk = _as_id(attachment_id)
    found = MessageAttachment.objects.filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(_("file not found"))
    try:
        get_message(person, found.message_id)
    except NotFound:
        raise NotFound(_("file not found")) from None
    return found


def _unread_of(person: Any) -> Subquery:
    """Others' messages above my read mark in the row's conversation (a correlated count)."""
    mine = Participant.objects.filter(conversation_id=OuterRef(OuterRef("pk")), person=person.pk)
    return Subquery(
        Message.objects.filter(
            conversation_id=OuterRef("pk"), id__gt=Subquery(mine.values("last_read_id")[:1])
        )
        .exclude(author_id=person.pk)
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("id"))
        .values("n"),
        output_field=IntegerField(),
    )


@dataclass
class ConversationRow:
    conversation: Conversation
    others: list[Person]
    last: Message | None
    unread: int

    @property
    def id(self) -> int:
        return int(self.conversation.pk)

    @property
    def name(self) -> str:
        """The title, else the other people's names ("Claire Martin, Bob Durand")."""
        if self.conversation.title:
            return self.conversation.title
        if not self.others:
            return _("Only you")
        return ", ".join(p.display_name for p in self.others)

    @property
    def snippet(self) -> str:
        if self.last is None:
            return ""
        words = " ".join(self.last.text.split())
        if not words and self.last.pk:
            return _("(message removed)")
        return words if len(words) <= SNIPPET_LENGTH else words[: SNIPPET_LENGTH - 1] + "…"


@dataclass
class ConversationPage:
    items: list[ConversationRow]
    next_cursor: str | None


def conversation_page(
    person: Any, cursor: str | None = None, limit: Any = None
) -> ConversationPage:
    """My conversations, the one with the newest message first (cursor: that message's id)."""
    size = paging.page_size(limit)
    rows = conversations_of(person).annotate(unread=Coalesce(_unread_of(person), Value(0)))
    if cursor:
        (anchor,) = paging.decode_cursor(cursor, 1)
        rows = rows.filter(last_message_id__lt=anchor)
    found = list(rows.order_by("-last_message_id", "-pk")[: size + 1])
    more = len(found) > size
    found = found[:size]
    return ConversationPage(
        describe(person, found),
        paging.encode_cursor([found[-1].last_message_id]) if more and found else None,
    )


def describe(person: Any, found: Sequence[Conversation]) -> list[ConversationRow]:
    """The other people and the newest message of each conversation: 2 queries."""
    if not found:
        return []
    others: dict[int, list[Person]] = {c.pk: [] for c in found}
    for part in (
        Participant.objects.filter(conversation_id__in=list(others))
        .exclude(person_id=person.pk)
        .select_related("person")
        .order_by("person__first_name", "person__last_name", "person_id")
    ):
        others[part.conversation_id].append(part.person)
    last = {
        m.pk: m
        for m in Message.objects.filter(pk__in=[c.last_message_id for c in found]).select_related(
            "author"
        )
    }
    return [
        ConversationRow(c, others[c.pk], last.get(c.last_message_id), int(getattr(c, "unread", 0)))
        for c in found
    ]


def unread_total(person: Any) -> int:
    """Others' messages I have not read, over all my conversations: 1 query."""
    if not _signed_in(person):
        return 0
    mine = Participant.objects.filter(person_id=person.pk)
    return (
        Message.objects.filter(conversation__participants__person_id=person.pk)
        .filter(
            id__gt=Subquery(
                mine.filter(conversation_id=OuterRef("conversation_id")).values("last_read_id")[:1]
            )
        )
        .exclude(author_id=person.pk)
        .count()
    )


@dataclass
class ShownMessage:
    message: Message
    files: list[MessageAttachment] = field(default_factory=list)
    my_reaction: str | None = None
    read_by: list[Person] = field(default_factory=list)  # others whose read mark stops here


@dataclass
class Thread:
    conversation: Conversation
    participants: list[Participant]  # everyone, with their read marks
    messages: list[ShownMessage]  # oldest first
    earlier_cursor: str | None  # the page of older messages, if any
    reader_id: int

    @property
    def others(self) -> list[Person]:
        return [p.person for p in self.participants if p.person_id != self.reader_id]

    @property
    def name(self) -> str:
        if self.conversation.title:
            return self.conversation.title
        names = [p.display_name for p in self.others]
        return ", ".join(names) if names else _("Only you")

    @property
    def my_read_mark(self) -> int:
        for p in self.participants:
            if p.person_id == self.reader_id:
                return int(p.last_read_id)
        return 0


def thread(
    person: Any, conversation: Conversation, cursor: str | None = None, limit: Any = None
) -> Thread:
    """A page of ``conversation`` (read through ``get_conversation``): the newest messages,
    or those before ``cursor``; shown oldest first."""
    size = paging.page_size(limit)
    rows = Message.objects.filter(conversation=conversation).select_related("author")
    if cursor:
        (anchor,) = paging.decode_cursor(cursor, 1)
        rows = rows.filter(id__lt=anchor)
    found = list(rows.order_by("-id")[: size + 1])
    more = len(found) > size
    found = list(reversed(found[:size]))
    participants = list(
        Participant.objects.filter(conversation=conversation)
        .select_related("person")
        .order_by("person__first_name", "person__last_name", "person_id")
    )
    ids = [m.pk for m in found]
    files: dict[int, list[MessageAttachment]] = {}
    mine: dict[int, str] = {}
    if ids:
        for attachment in MessageAttachment.objects.filter(message_id__in=ids).order_by("pk"):
            files.setdefault(attachment.message_id, []).append(attachment)
        mine = dict(
            MessageReaction.objects.filter(message_id__in=ids, person_id=person.pk).values_list(
                "message_id", "kind"
            )
        )
    shown = [ShownMessage(m, files.get(m.pk, []), mine.get(m.pk)) for m in found]
    # Read marks: each other person is shown under the newest message of the page they have
    # read (nothing when they have read none of it).
    for part in participants:
        if part.person_id == person.pk:
            continue
        reached = [s for s in shown if s.message.pk <= part.last_read_id]
        if reached and reached[-1].message.author_id != part.person_id:
            reached[-1].read_by.append(part.person)
    return Thread(
        conversation,
        participants,
        shown,
        paging.encode_cursor([found[0].pk]) if more and found else None,
        int(person.pk),
    )


__all__ = [
    "ConversationPage",
    "ConversationRow",
    "Thread",
    "conversation_page",
    "conversations_of",
    "get_conversation",
    "get_message",
    "thread",
    "unread_total",
]

"""Direct messages: start a conversation, write in it, react to a message, take it back.

Each action validates, checks the policy (``permissions.may_write_to``: people who may see
each other), writes in one transaction and appends exactly one event (docs/messaging.md):

- ``start_conversation``, ``send_message``: ``sent_message``, object the conversation,
  target the other person of a one-to-one (none in a group), value the number of recipients;
- ``react_to_message`` / ``unreact_to_message``: ``reacted_to_message`` /
  ``unreacted_to_message``, object the message, target its author.

The events carry no text. They never leave rucher as they are: the contract export leaves
them out, or turns ``sent_message`` into one ``messaged`` row per recipient when the
organisation allows who-talked-to-whom counts (``RUCHER_MESSAGING_IN_INSIGHTS``).

Marking a conversation read is the person's own state, not an event (``reading.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.conversations.attachments import check_upload
from rucher.conversations.models import Reaction
from rucher.conversations.rendering import render
from rucher.errors import Forbidden, Invalid, NotFound
from rucher.paging import MAX_ID
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.text import clean

from .models import (
    MAX_PARTICIPANTS,
    MAX_TITLE_LENGTH,
    Conversation,
    Message,
    MessageAttachment,
    MessageReaction,
    Participant,
)
from .queries import get_conversation, get_message

MAX_MESSAGE_LENGTH = 10_000
MAX_FILES = 5  # files sent with one message


def _ids(values: Any) -> list[int]:
    if not isinstance(values, list | tuple):
        raise Invalid(_("participants must be a list of people"))
    found: list[int] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
            raise Invalid(_("participants must be people's ids (positive whole numbers)"))
        if value not in found:
            found.append(value)
    return found


def _files(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    if len(files) > MAX_FILES:
        raise Invalid(_("at most %(max)s files with one message") % {"max": MAX_FILES})
    return [(upload, check_upload(upload)) for upload in files]


def _refuse_unreachable(person: Person, others: Sequence[Person]) -> None:
    if not permissions.may_write_to(person, others):
        raise Forbidden(
            _(
                "you cannot write to these people: a partner guest writes only with the "
                "people of their spaces"
            )
        )


def _write(
    person: Person,
    conversation: Conversation,
    people: Sequence[Person],
    text: str,
    files: list[tuple[UploadedFile, str]],
) -> Message:
    """The message row, its mentions and files; the conversation's newest message and the
    author's read mark move to it."""
    usernames = {p.username: p.pk for p in people if p.pk != person.pk}
    rendered = render(text, set(usernames))
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, author=person, text=text, html=rendered.html, created_at=now
    )
    mentioned = [usernames[name] for name in rendered.mentions if name in usernames]
    if mentioned:
        message.mentions.add(*mentioned)
    for upload, content_type in files:
        # The stored name takes the extension of the CHECKED type (as conversations do).
        stem = Path(upload.name or "fichier").stem[:150] or "fichier"
        name = f"{stem}{settings.RUCHER_ATTACHMENT_TYPES[content_type]}"
        attachment = MessageAttachment(
            message=message, name=name, size=upload.size or 0, content_type=content_type
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=now, last_message_id=message.pk
    )
    Participant.objects.filter(conversation=conversation, person=person).update(
        last_read_id=message.pk
    )
    return message


def _record_sent(person: Person, conversation: Conversation, people: Sequence[Person]) -> None:
    recipients = [p for p in people if p.pk != person.pk]
    target = recipients[0].pk if len(recipients) == 1 else None
    record(
        person,
        "sent_message",
        "conversation",
        conversation.pk,
        target_id=target,
        value=float(len(recipients)),
    )


def _one_to_one(person: Person, other: Person) -> Conversation | None:
    """The untitled conversation of exactly these two people, if there is one."""
    size = (
        Participant.objects.filter(conversation_id=OuterRef("pk"))
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Conversation.objects.filter(title="", participants__person=person)
        .filter(participants__person=other)
        .annotate(size=Subquery(size))
        .filter(size=2)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def start_conversation(
    person: Person,
    participants: Any,
    text: object,
    *,
    title: object = "",
    files: Sequence[UploadedFile] = (),
) -> Message:
    """Write to one or more people (``participants``: their ids, the author left out or not).

    A one-to-one without a title goes on in the conversation the two already have. Errors:
    an empty message or list, more than twenty people (422); someone the author may not see
    (404, as if they did not exist); someone who may not see the author, or whom another
    participant may not see (403)."""
    body = clean(text, MAX_MESSAGE_LENGTH, _("message"))
    ids = [pk for pk in _ids(participants) if pk != person.pk]
    if not ids:
        raise Invalid(_("choose at least one person to write to"))
    if len(ids) + 1 > MAX_PARTICIPANTS:
        raise Invalid(
            _("a conversation has at most %(max)s people (%(given)s given)")
            % {"max": MAX_PARTICIPANTS, "given": len(ids) + 1}
        )
    named = title if title not in (None, "") else ""
    name = clean(named, MAX_TITLE_LENGTH, _("title")) if named else ""
    checked = _files(files)
    others = list(permissions.visible_people(person).filter(pk__in=ids).order_by("pk"))
    if len(others) != len(ids):
        raise NotFound(_("person not found"))
    _refuse_unreachable(person, others)
    people = [person, *others]
    conversation = _one_to_one(person, others[0]) if len(others) == 1 and not name else None
    if conversation is None:
        conversation = Conversation.objects.create(created_by=person, title=name)
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, person=p) for p in people]
        )
    message = _write(person, conversation, people, body, checked)
    _record_sent(person, conversation, people)
    return message


@transaction.atomic
def send_message(
    person: Person,
    conversation_id: int,
    text: object,
    *,
    files: Sequence[UploadedFile] = (),
) -> Message:
    """Write in a conversation one takes part in (404 otherwise). Everyone still there must
    still be someone the author may write to (403 otherwise: a guest who left the space they
    shared with the others)."""
    conversation = get_conversation(person, conversation_id)
    body = clean(text, MAX_MESSAGE_LENGTH, _("message"))
    checked = _files(files)
    people = list(Person.objects.filter(conversations__conversation=conversation).order_by("pk"))
    others = [p for p in people if p.pk != person.pk and p.is_active]
    if not others:
        raise Forbidden(_("nobody is left in this conversation to read you"))
    _refuse_unreachable(person, others)
    message = _write(person, conversation, people, body, checked)
    _record_sent(person, conversation, people)
    return message


def _recount(message: Message) -> None:
    counts = dict(
        MessageReaction.objects.filter(message=message)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    Message.objects.filter(pk=message.pk).update(reaction_counts=counts)


@transaction.atomic
def react_to_message(person: Person, message_id: int, kind: object) -> MessageReaction:
    """React to a message of a conversation one takes part in (changing the kind replaces
    one's reaction)."""
    if kind not in Reaction.Kind.values:
        raise Invalid(
            _("unknown reaction: %(kind)s (one of %(kinds)s)")
            % {"kind": kind, "kinds": ", ".join(Reaction.Kind.values)}
        )
    message = get_message(person, message_id)
    Message.objects.select_for_update().filter(pk=message.pk).values_list("pk").first()
    reaction, _created = MessageReaction.objects.update_or_create(
        message=message, person=person, defaults={"kind": kind}
    )
    _recount(message)
    record(person, "reacted_to_message", "message", message.pk, target_id=message.author_id)
    return reaction


@transaction.atomic
def unreact_to_message(person: Person, message_id: int) -> None:
    """Take back one's reaction to a message (404 when there is none)."""
    message = get_message(person, message_id)
    Message.objects.select_for_update().filter(pk=message.pk).values_list("pk").first()
    deleted, _rows = MessageReaction.objects.filter(message=message, person=person).delete()
    if not deleted:
        raise NotFound(_("you have not reacted to this message"))
    _recount(message)
    record(person, "unreacted_to_message", "message", message.pk, target_id=message.author_id)

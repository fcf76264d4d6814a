"""/api/v1/messages: direct messages between people who may see each other (docs/messaging.md).

- ``GET /messages``: my conversations, newest message first, each with the other people, the
  newest message and my unread count (cursor-paginated).
- ``GET /messages/unread-count``: ``{"unread": n}`` over every conversation.
- ``POST /messages``: ``{"participants": [ids], "text": …, "title": …}`` starts a conversation
  (a one-to-one without a title goes on in the one the two already have): 201 with the message.
- ``GET /messages/{id}``: a page of the conversation (oldest first; ``cursor`` for older ones),
  with who has read up to where. Reading it does not mark it read: ``POST …/read`` does.
- ``POST /messages/{id}``: write in it. ``POST /messages/{id}/files`` (multipart: ``text``
  and one to five ``files``): write in it with files, checked as the web's (type, size).
  ``GET /messages/files/{file_id}``: download a file of a conversation I take part in.
- ``POST /messages/{id}/read``: move my read mark.
- ``POST /messages/reactions/{message_id}``, ``DELETE`` the same: react, take it back.

A conversation I do not take part in is "not found" (404), whoever I am, administrators
included. Token scopes as everywhere: ``read`` for GET, ``write`` for the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema, Status, UploadedFile

from rucher.api.auth import caller
from rucher.api.schemas import ErrorOut, Id, Text
from rucher.downloads import file_download
from rucher.messaging import actions, queries, reading
from rucher.messaging.models import Message, MessageAttachment
from rucher.people.models import Person

router = Router(tags=["messages"])

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class MessagePersonOut(Schema):
    id: int
    username: str
    name: str


class MessageFileOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str  # GET it with the same token


class MessageOut(Schema):
    id: int
    conversation_id: int
    author: MessagePersonOut
    text: str
    html: str
    created_at: datetime
    reaction_counts: dict[str, int]
    my_reaction: str | None
    files: list[str]  # their names (kept for older clients; ``attachments`` says more)
    attachments: list[MessageFileOut]
    read_by: list[int]


class ConversationOut(Schema):
    id: int
    title: str
    name: str
    participants: list[MessagePersonOut]
    last_message: MessageOut | None
    unread: int


class ConversationPageOut(Schema):
    items: list[ConversationOut]
    next: str | None


class ParticipantOut(MessagePersonOut):
    last_read_message_id: int


class ThreadOut(Schema):
    id: int
    title: str
    name: str
    participants: list[ParticipantOut]
    messages: list[MessageOut]
    earlier: str | None


class StartIn(Schema):
    participants: list[Id]
    text: Text
    title: Text | None = None


class SendIn(Schema):
    text: Text


class MessageReactionIn(Schema):
    kind: Text


class MessageReactionOut(Schema):
    message_id: int
    kind: str | None
    reaction_counts: dict[str, int]


class MessageUnreadOut(Schema):
    unread: int


class MessageReadOut(Schema):
    marked: bool
    unread: int


def person_out(person: Person) -> dict[str, Any]:
    return {"id": person.pk, "username": person.username, "name": person.display_name}


def file_out(attachment: MessageAttachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "url": f"/api/v1/messages/files/{attachment.pk}",
    }


def message_out(
    message: Message,
    my_reaction: str | None = None,
    files: list[MessageAttachment] | None = None,
    read_by: list[int] | None = None,
) -> dict[str, Any]:
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "author": person_out(message.author),
        "text": message.text,
        "html": message.html,
        "created_at": message.created_at,
        "reaction_counts": message.reaction_counts or {},
        "my_reaction": my_reaction,
        "files": [f.name for f in files or []],
        "attachments": [file_out(f) for f in files or []],
        "read_by": read_by or [],
    }


def row_out(row: queries.ConversationRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.conversation.title,
        "name": row.name,
        "participants": [person_out(p) for p in row.others],
        "last_message": message_out(row.last) if row.last is not None else None,
        "unread": row.unread,
    }


@router.get(
    "/messages",
    response={200: ConversationPageOut, 422: ErrorOut},
    summary="My conversations, the newest message first",
)
def conversation_list(
    request: HttpRequest, cursor: Text | None = None, limit: int | None = None
) -> dict[str, Any]:
    page = queries.conversation_page(caller(request), cursor, limit)
    return {"items": [row_out(row) for row in page.items], "next": page.next_cursor}


@router.get(
    "/messages/unread-count",
    response={200: MessageUnreadOut},
    summary="How many messages I have not read",
)
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": queries.unread_total(caller(request))}


@router.post(
    "/messages",
    response={201: MessageOut, **WRITE_ERRORS},
    summary="Write to one or more people (at most 20 in a conversation, me included)",
)
def start(request: HttpRequest, payload: StartIn) -> Status[Any]:
    person = caller(request)
    message = actions.start_conversation(
        person, list(payload.participants), payload.text, title=payload.title or ""
    )
    return Status(201, message_out(message))


@router.get(
    "/messages/{conversation_id}",
    response={200: ThreadOut, 404: ErrorOut, 422: ErrorOut},
    summary="A conversation's messages (newest page, oldest first on it)",
)
def conversation_detail(
    request: HttpRequest,
    conversation_id: int,
    cursor: Text | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    person = caller(request)
    conversation = queries.get_conversation(person, conversation_id)
    found = queries.thread(person, conversation, cursor, limit)
    return {
        "id": conversation.pk,
        "title": conversation.title,
        "name": found.name,
        "participants": [
            {**person_out(p.person), "last_read_message_id": p.last_read_id}
            for p in found.participants
        ],
        "messages": [
            message_out(
                shown.message,
                shown.my_reaction,
                list(shown.files),
                [p.pk for p in shown.read_by],
            )
            for shown in found.messages
        ],
        "earlier": found.earlier_cursor,
    }


@router.post(
    "/messages/{conversation_id}",
    response={201: MessageOut, **WRITE_ERRORS},
    summary="Write in a conversation I take part in",
)
def send(request: HttpRequest, conversation_id: int, payload: SendIn) -> Status[Any]:
    message = actions.send_message(caller(request), conversation_id, payload.text)
    return Status(201, message_out(message))


@router.post(
    "/messages/{conversation_id}/files",
    response={201: MessageOut, **WRITE_ERRORS},
    summary="Write in a conversation I take part in, with files (multipart)",
)
def send_with_files(
    request: HttpRequest,
    conversation_id: int,
    text: Form[str],
    files: File[list[UploadedFile]],
) -> Status[Any]:
    message = actions.send_message(caller(request), conversation_id, text, files=files)
    return Status(201, message_out(message, files=list(message.attachments.order_by("pk"))))


@router.get(
    "/messages/files/{file_id}",
    response={200: None, 404: ErrorOut},
    summary="Download a file sent in a conversation I take part in",
)
def download(request: HttpRequest, file_id: int) -> FileResponse:
    attachment = queries.get_attachment(caller(request), file_id)
    return file_download(attachment.file, attachment.name, attachment.content_type)


@router.post(
    "/messages/{conversation_id}/read",
    response={200: MessageReadOut, 404: ErrorOut, 422: ErrorOut},
    summary="Mark a conversation read up to its newest message",
)
def mark_read(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    person = caller(request)
    marked = reading.mark_read(person, conversation_id)
    return {"marked": bool(marked), "unread": queries.unread_total(person)}


@router.post(
    "/messages/reactions/{message_id}",
    response={201: MessageReactionOut, **WRITE_ERRORS},
    summary="React to a message (like, celebrate, support, insightful, curious)",
)
def react(request: HttpRequest, message_id: int, payload: MessageReactionIn) -> Status[Any]:
    person = caller(request)
    reaction = actions.react_to_message(person, message_id, payload.kind)
    counts = queries.get_message(person, message_id).reaction_counts or {}
    return Status(201, {"message_id": message_id, "kind": reaction.kind, "reaction_counts": counts})


@router.delete(
    "/messages/reactions/{message_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Take my reaction to a message back",
)
def unreact(request: HttpRequest, message_id: int) -> Status[Any]:
    actions.unreact_to_message(caller(request), message_id)
    return Status(204, None)

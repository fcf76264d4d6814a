"""/api/v1/posts, comments, reactions, answers and polls. Writes go through
conversations.actions / polls; reads through spaces.permissions (channel "api", so reading
confidential content over the API is recorded as such)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from rucher.activity.actions import record_view
from rucher.api.auth import caller
from rucher.api.schemas import (
    CommentIn,
    ContentDetailOut,
    ContentOut,
    EditIn,
    ErrorOut,
    PollIn,
    PostIn,
    ReactionIn,
    ReactionOut,
    ReplyOut,
    SensitiveErrorOut,
    VoteIn,
    VoteOut,
)
from rucher.conversations import actions
from rucher.conversations.models import Content, Poll, PollVote, Reaction
from rucher.conversations.queries import get_visible_content, poll_results
from rucher.conversations.sensitive import SensitiveFound
from rucher.errors import NotFound
from rucher.spaces import permissions
from rucher.spaces.confidential import record_reads
from rucher.streams.queries import thread

router = Router(tags=["conversations"])

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
# Publishing answers 422 with the findings when the text holds sensitive data.
PUBLISH_ERRORS = {**WRITE_ERRORS, 422: SensitiveErrorOut | ErrorOut}
HELD_FOR_REVIEW = "held_for_review"


def _refused(error: SensitiveFound) -> Status[Any]:
    return Status(
        422, {"detail": error.message, "action": error.action, "findings": error.findings}
    )


def _status(content: Content) -> dict[str, Any]:
    return {
        "status": HELD_FOR_REVIEW if content.is_held else content.status,
        "sensitive_findings": content.sensitive.get("findings", []) if content.sensitive else [],
    }


def _target(person: Any, content_id: int) -> Content:
    """Content the caller may read, for an action to act on. The action re-reads it through
    the policy (and records a confidential read then), so this lookup records nothing."""
    found = Content.objects.visible_to(person).filter(pk=content_id).first()
    if found is None:
        raise NotFound(_("content not found"))
    return found


def _author(content: Content) -> dict[str, Any]:
    return {"id": content.author_id, "display_name": content.author.display_name}


def content_out(content: Content, my_reaction: str | None) -> dict[str, Any]:
    return {
        "id": content.pk,
        "kind": content.kind,
        **_status(content),
        "author": _author(content),
        "space": {"id": content.space_id, "name": content.space.name} if content.space else None,
        "parent_id": content.parent_id,
        "root_id": content.root_id,
        "text": content.text,
        "html": content.html,
        "created_at": content.created_at,
        "edited_at": content.edited_at,
        "reaction_count": content.reaction_count,
        "reaction_counts": content.reaction_counts,
        "comment_count": content.comment_count,
        "topics": [t.name for t in content.topics.all()],
        "accepted": content.accepted,
        "my_reaction": my_reaction,
    }


def reply_out(reply: Content, my_reaction: str | None) -> dict[str, Any]:
    return {
        "id": reply.pk,
        "kind": reply.kind,
        "parent_id": reply.parent_id,
        "author": _author(reply),
        "html": reply.html,
        "created_at": reply.created_at,
        "edited_at": reply.edited_at,
        "reaction_count": reply.reaction_count,
        "reaction_counts": reply.reaction_counts,
        "quoted_id": reply.quoted_id,
        "accepted": reply.accepted,
        "my_reaction": my_reaction,
        **_status(reply),
    }


def _poll_out(person: Any, content: Content) -> dict[str, Any] | None:
    poll = Poll.objects.filter(content_id=content.pk).first()
    if poll is None:
        return None
    results = poll_results(poll)
    voted = PollVote.objects.filter(poll=poll, person_id=person.pk).exists()
    if results["kind"] == "nps":
        nps = results["nps"]
        return {
            "kind": "nps",
            "question": poll.question,
            "total": nps.n,
            "nps": nps.nps,
            "margin": nps.margin,
            "enough_answers": nps.enough,
            "my_vote": voted,
        }
    return {
        "kind": "choice",
        "question": poll.question,
        "total": results["total"],
        "options": results["options"],
        "my_vote": voted,
    }


def _fresh(person: Any, content_id: int, held: bool = False) -> Content:
    """Re-read after a write, for the answer (counters changed in the database). Content
    the caller just wrote and that was held for review is theirs to see (only theirs)."""
    rows = Content.objects.visible_to(person)
    if held:
        rows = Content.objects.filter(author_id=person.pk, status=Content.Status.HELD)
    return rows.select_related("author", "space").prefetch_related("topics").get(pk=content_id)


@router.post(
    "/posts",
    response={201: ContentOut, **PUBLISH_ERRORS},
    summary="Publish a post or a question in a space (or on my profile)",
    description=(
        "Sensitive data (IBAN, card numbers, secrets…) is checked first, by the policy of the "
        'space\'s kind: refused (422, action "block"), to confirm (422, action "warn": send '
        'again with "confirm_sensitive": true) or held for review (201, status '
        '"held_for_review": only you and the moderators see it until a moderator releases it).'
    ),
)
def create_post(request: HttpRequest, payload: PostIn) -> Status[Any]:
    person = caller(request)
    space = None
    if payload.space_id is not None:
        space = permissions.get_visible_space(person, payload.space_id)
    try:
        post = actions.publish(
            person,
            space,
            payload.text,
            kind=payload.kind,
            confirm_sensitive=payload.confirm_sensitive,
        )
    except SensitiveFound as error:
        return _refused(error)
    return Status(201, content_out(_fresh(person, post.pk, post.is_held), None))


@router.get(
    "/posts/{content_id}",
    response={200: ContentDetailOut, 404: ErrorOut},
    summary="A post (or any content) with its thread of comments or answers",
)
def post_detail(request: HttpRequest, content_id: int) -> dict[str, Any]:
    person = caller(request)
    content = get_visible_content(person, content_id)
    record_reads(person, [content], channel="api")
    replies = thread(person, content) if content.parent_id is None else []
    mine = dict(
        Reaction.objects.filter(
            person_id=person.pk, content_id__in=[content.pk, *(r.pk for r in replies)]
        ).values_list("content_id", "kind")
    )
    record_view(person, content.kind, content.pk, content.space_id)
    return {
        **content_out(content, mine.get(content.pk)),
        "thread": [reply_out(r, mine.get(r.pk)) for r in replies],
        "poll": _poll_out(person, content) if content.kind == Content.Kind.POLL else None,
    }


@router.patch(
    "/posts/{content_id}",
    response={200: ContentOut, **PUBLISH_ERRORS},
    summary="Edit my post or comment (the previous text is kept in its history)",
)
def edit_post(request: HttpRequest, content_id: int, payload: EditIn) -> Status[Any]:
    person = caller(request)
    try:
        edited = actions.edit(
            person,
            _target(person, content_id),
            payload.text,
            confirm_sensitive=payload.confirm_sensitive,
        )
    except SensitiveFound as error:
        return _refused(error)
    return Status(200, content_out(_fresh(person, edited.pk, edited.is_held), None))


@router.delete(
    "/posts/{content_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete (moderators can restore it for 30 days)",
)
def delete_post(request: HttpRequest, content_id: int) -> Status[Any]:
    person = caller(request)
    actions.delete(person, _target(person, content_id))
    return Status(204, None)


@router.post(
    "/posts/{content_id}/comments",
    response={201: ReplyOut, **PUBLISH_ERRORS},
    summary="Comment on a post (an answer, under a question); may quote a message",
)
def comment(request: HttpRequest, content_id: int, payload: CommentIn) -> Status[Any]:
    person = caller(request)
    parent = _target(person, content_id)
    quoted = _target(person, payload.quoted_id) if payload.quoted_id is not None else None
    try:
        reply = actions.reply(
            person, parent, payload.text, quoted=quoted, confirm_sensitive=payload.confirm_sensitive
        )
    except SensitiveFound as error:
        return _refused(error)
    return Status(201, reply_out(_fresh(person, reply.pk, reply.is_held), None))


@router.post(
    "/posts/{content_id}/reactions",
    response={201: ReactionOut, **WRITE_ERRORS},
    summary="React (like, celebrate, support, insightful, curious); one per person",
)
def react(request: HttpRequest, content_id: int, payload: ReactionIn) -> Status[Any]:
    person = caller(request)
    reaction = actions.react(person, _target(person, content_id), payload.kind)
    fresh = _fresh(person, content_id)
    return Status(
        201,
        {
            "content_id": fresh.pk,
            "kind": reaction.kind,
            "reaction_count": fresh.reaction_count,
            "reaction_counts": fresh.reaction_counts,
        },
    )


@router.delete(
    "/posts/{content_id}/reactions",
    response={204: None, **WRITE_ERRORS},
    summary="Take my reaction back",
)
def unreact(request: HttpRequest, content_id: int) -> Status[Any]:
    person = caller(request)
    actions.unreact(person, _target(person, content_id))
    return Status(204, None)


@router.post(
    "/answers/{content_id}/accept",
    response={200: ReplyOut, **WRITE_ERRORS},
    summary="Accept an answer to my question",
)
def accept(request: HttpRequest, content_id: int) -> dict[str, Any]:
    person = caller(request)
    answer = actions.accept_answer(person, _target(person, content_id))
    return reply_out(_fresh(person, answer.pk), None)


@router.post(
    "/polls",
    response={201: ContentDetailOut, **WRITE_ERRORS},
    summary="Ask a poll in a space: choices, or a 0–10 NPS question",
)
def create_poll(request: HttpRequest, payload: PollIn) -> Status[Any]:
    person = caller(request)
    space = permissions.get_visible_space(person, payload.space_id)
    content = actions.create_poll(person, space, payload.question, payload.options, payload.kind)
    fresh = _fresh(person, content.pk)
    return Status(201, {**content_out(fresh, None), "thread": [], "poll": _poll_out(person, fresh)})


@router.post(
    "/polls/{content_id}/votes",
    response={201: VoteOut, **WRITE_ERRORS},
    summary="Answer a poll: option_id for a choice poll, score 0–10 for an NPS poll",
)
def vote(request: HttpRequest, content_id: int, payload: VoteIn) -> Status[Any]:
    person = caller(request)
    ballot = actions.vote(
        person, _target(person, content_id), option_id=payload.option_id, score=payload.score
    )
    return Status(
        201, {"poll_id": content_id, "option_id": ballot.option_id, "score": ballot.score}
    )

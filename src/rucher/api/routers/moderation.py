"""/api/v1/moderation/…: flag an item, the review queue, decisions and their history.
Writes go through rucher.moderation.actions; reads through rucher.moderation.queries (the
read policy's ``reviewable``). Values (reasons, decisions, periods) are checked by the actions,
so a wrong one is a 422 that lists the accepted ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rucher.api.auth import caller
from rucher.api.schemas import ErrorOut, Id, Text
from rucher.conversations.models import Content
from rucher.moderation import actions
from rucher.moderation.models import (
    Decision,
    FlaggedItem,
    ModerationDecision,
    Reason,
    WatchedWord,
)
from rucher.moderation.queries import (
    Entry,
    decisions_on,
    item_ref,
    parse_ref,
    review_queue,
    watched_words,
)
from rucher.spaces import permissions
from rucher.spaces.confidential import record_reads

router = Router(tags=["moderation"])

ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ItemIn(Schema):
    type: Text = Field(..., description="content (post, comment, question, answer, poll) or person")
    id: Id


class FlagIn(Schema):
    item: ItemIn
    reason: Text = Field(..., description=", ".join(Reason.values))
    text: Text = Field("", description="required with reason 'other'; at most 1,000 characters")


class FlagOut(Schema):
    id: int
    item: dict[str, Any]
    reason: str
    created_at: datetime


class DecisionIn(Schema):
    items: list[ItemIn] = Field(..., min_length=1, description="one or several items (bulk)")
    decision: Text = Field(..., description=", ".join(v for v in Decision.values if v != "lift"))
    reason: Text
    text: Text | None = Field(None, description="edit: the new text")
    note: Text | None = Field(None, description="edit: the note shown; warn: the message")
    period: Text | None = Field(None, description="suspend: 1d, 7d, 30d or lifted")


class DecisionOut(Schema):
    id: int
    item: dict[str, Any]
    decision: str
    decision_label: str
    moderator: dict[str, Any] | None
    author: dict[str, Any]
    reason: str
    note: str
    until: datetime | None
    created_at: datetime


class LiftIn(Schema):
    space_id: Id
    person_id: Id
    reason: Text


class QueueOut(Schema):
    items: list[dict[str, Any]]
    next: str | None


def _person(person: Any) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"id": person.pk, "display_name": person.display_name}


def _item(content_id: int | None, profile_id: int | None) -> dict[str, Any]:
    if content_id is not None:
        return {"type": "content", "id": content_id}
    return {"type": "person", "id": profile_id}


def decision_out(row: ModerationDecision) -> dict[str, Any]:
    return {
        "id": row.pk,
        "item": _item(row.content_id, row.profile_id),
        "decision": row.decision,
        "decision_label": str(Decision(row.decision).label),
        "moderator": _person(row.moderator),
        "author": _person(row.author),
        "reason": row.reason,
        "note": row.note,
        "until": row.until,
        "created_at": row.created_at,
    }


def _content(content: Content) -> dict[str, Any]:
    parent = content.parent
    return {
        "id": content.pk,
        "kind": content.kind,
        "status": content.status,
        "html": content.html,
        "created_at": content.created_at,
        "parent": None
        if parent is None
        else {"id": parent.pk, "kind": parent.kind, "html": parent.html},
    }


def entry_out(entry: Entry) -> dict[str, Any]:
    item: FlaggedItem = entry.item
    return {
        "item": _item(item.content_id, item.profile_id),
        "flag_count": item.flag_count,
        "last_flagged_at": item.last_flagged_at,
        "space": None if item.space is None else {"id": item.space.pk, "name": item.space.name},
        "author": _person(item.author),
        "content": None if item.content is None else _content(item.content),
        "flags": [
            {
                "flagger": _person(f.flagger),
                "reason": f.reason,
                "reason_label": str(Reason(f.reason).label),
                "text": f.text,
                "created_at": f.created_at,
            }
            for f in entry.flags
        ],
        "history": {
            "posts": entry.history.posts,
            "comments": entry.history.comments,
            "decisions": entry.history.decisions,
        },
    }


@router.post(
    "/moderation/flags",
    response={201: FlagOut, **ERRORS},
    summary="Flag a post, comment, question, answer, poll or profile for the moderators",
)
def flag(request: HttpRequest, payload: FlagIn) -> Status[Any]:
    item = item_ref(payload.item.type, payload.item.id)
    row = actions.flag(caller(request), item, payload.reason, payload.text)
    return Status(
        201,
        {
            "id": row.pk,
            "item": _item(row.item.content_id, row.item.profile_id),
            "reason": row.reason,
            "created_at": row.created_at,
        },
    )


@router.get(
    "/moderation/queue",
    response={200: QueueOut, **ERRORS},
    summary="The review queue: open flags grouped per item, with context and history",
)
def queue(
    request: HttpRequest,
    cursor: Text | None = None,
    limit: int | None = None,
    order: Text = "newest",
) -> dict[str, Any]:
    person = caller(request)
    page = review_queue(person, cursor, limit, order)
    record_reads(person, [e.item.content for e in page.entries if e.item.content], channel="api")
    return {"items": [entry_out(e) for e in page.entries], "next": page.next_cursor}


@router.post(
    "/moderation/decisions",
    response={201: list[DecisionOut], **ERRORS},
    summary="Decide on one or several flagged items (hide, restore, delete, edit, warn, "
    "suspend, dismiss)",
)
def decide(request: HttpRequest, payload: DecisionIn) -> Status[Any]:
    rows = actions.decide(
        caller(request),
        [item_ref(i.type, i.id) for i in payload.items],
        payload.decision,
        payload.reason,
        text=payload.text,
        note=payload.note,
        period=payload.period,
    )
    return Status(201, [decision_out(r) for r in rows])


@router.get(
    "/moderation/decisions",
    response={200: list[DecisionOut], **ERRORS},
    summary="The decisions taken on an item (item=content:12 or person:5)",
)
def decisions(request: HttpRequest, item: Text) -> list[dict[str, Any]]:
    return [decision_out(r) for r in decisions_on(caller(request), parse_ref(item))]


@router.post(
    "/moderation/suspensions/lift",
    response={204: None, **ERRORS},
    summary="Lift a member's suspension from a space before its end",
)
def lift(request: HttpRequest, payload: LiftIn) -> Status[Any]:
    person = caller(request)
    space = permissions.get_visible_space(person, payload.space_id)
    member = permissions.get_visible_person(person, payload.person_id)
    actions.lift_suspension(person, space, member, payload.reason)
    return Status(204, None)


# --- publishing rules: watched words, slow mode, new accounts ----------------------------


class WatchedWordIn(Schema):
    space_id: Id | None = Field(None, description="a space; none: the organisation's list")
    pattern: Text = Field(..., description="a word (or words), or a regular expression")
    mode: Text = Field("word", description="word (whole word, accents and case ignored) or regex")
    action: Text = Field(..., description="block, hold (require approval), flag, replace")
    replacement: Text | None = Field(None, description="replace: the text put instead")


class WatchedWordPatch(Schema):
    pattern: Text | None = None
    mode: Text | None = None
    action: Text | None = None
    replacement: Text | None = None


class WatchedWordOut(Schema):
    id: int
    space_id: int | None
    pattern: str
    mode: str
    action: str
    action_label: str
    replacement: str
    updated_at: datetime


class SlowModeIn(Schema):
    minutes: int = Field(..., description="0 turns slow mode off")


class NewAccountsIn(Schema):
    posts: int = Field(..., description="the first N posts and comments are held; 0: off")
    days: int = Field(7, description="an account is new for this many days")


def word_out(word: WatchedWord) -> dict[str, Any]:
    return {
        "id": word.pk,
        "space_id": word.space_id,
        "pattern": word.pattern,
        "mode": word.mode,
        "action": word.action,
        "action_label": str(WatchedWord.Action(word.action).label),
        "replacement": word.replacement,
        "updated_at": word.updated_at,
    }


def _rules_space(person: Any, space_id: int | None) -> Any:
    return None if space_id is None else permissions.get_visible_space(person, space_id)


@router.get(
    "/moderation/watched-words",
    response={200: list[WatchedWordOut], **ERRORS},
    summary="Watched words of the organisation (administrators) or of a space (its managers)",
)
def list_watched_words(request: HttpRequest, space_id: int | None = None) -> list[dict[str, Any]]:
    person = caller(request)
    space = _rules_space(person, space_id)
    actions.require_rules_manager(person, space)
    return [word_out(w) for w in watched_words(space)]


@router.post(
    "/moderation/watched-words",
    response={201: WatchedWordOut, **ERRORS},
    summary="Watch a word or a regular expression before publishing",
)
def add_watched_word(request: HttpRequest, payload: WatchedWordIn) -> Status[Any]:
    person = caller(request)
    word = actions.add_watched_word(
        person,
        _rules_space(person, payload.space_id),
        payload.pattern,
        payload.mode,
        payload.action,
        payload.replacement,
    )
    return Status(201, word_out(word))


@router.patch(
    "/moderation/watched-words/{word_id}",
    response={200: WatchedWordOut, **ERRORS},
    summary="Change a watched word",
)
def update_watched_word(
    request: HttpRequest, word_id: int, payload: WatchedWordPatch
) -> dict[str, Any]:
    word = actions.update_watched_word(
        caller(request),
        word_id,
        payload.pattern,
        payload.mode,
        payload.action,
        payload.replacement,
    )
    return word_out(word)


@router.delete(
    "/moderation/watched-words/{word_id}",
    response={204: None, **ERRORS},
    summary="Stop watching a word",
)
def remove_watched_word(request: HttpRequest, word_id: int) -> Status[Any]:
    actions.remove_watched_word(caller(request), word_id)
    return Status(204, None)


@router.put(
    "/moderation/spaces/{space_id}/slow-mode",
    response={200: SlowModeIn, **ERRORS},
    summary="Slow mode of a space: one post or comment per person every N minutes (0: off)",
)
def slow_mode(request: HttpRequest, space_id: int, payload: SlowModeIn) -> dict[str, Any]:
    person = caller(request)
    rules = actions.set_slow_mode(
        person, permissions.get_visible_space(person, space_id), payload.minutes
    )
    return {"minutes": rules.slow_mode_minutes}


@router.put(
    "/moderation/new-accounts",
    response={200: NewAccountsIn, **ERRORS},
    summary="New accounts' first posts held for review (administrators)",
)
def new_accounts(request: HttpRequest, payload: NewAccountsIn) -> dict[str, Any]:
    rules = actions.set_new_account_rules(caller(request), payload.posts, payload.days)
    return {"posts": rules.new_account_posts, "days": rules.new_account_days}

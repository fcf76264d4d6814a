"""The event types a webhook endpoint can subscribe to: the one list (docs/webhooks.md).

Each type names the verbs of the event log it is made from (``flag.raised``: ``flagged``, a
member's flag on content or a profile; its payload names neither the flagger nor their text).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventType:
    code: str
    label: str | Promise
    verbs: tuple[str, ...]
    available: bool = True


POST_CREATED = "post.created"
COMMENT_CREATED = "comment.created"
QUESTION_ANSWERED = "question.answered"
ANSWER_ACCEPTED = "answer.accepted"
MEMBER_JOINED = "member.joined"
FLAG_RAISED = "flag.raised"
PING = "ping"  # the test ping an administrator sends by hand: never subscribed to

EVENT_TYPES: tuple[EventType, ...] = (
    # A post, a question or a poll published in a space or on a profile (not a share).
    EventType(POST_CREATED, _("A post is published"), ("posted", "asked")),
    EventType(COMMENT_CREATED, _("A comment is written"), ("commented",)),
    EventType(QUESTION_ANSWERED, _("A question is answered"), ("answered",)),
    EventType(ANSWER_ACCEPTED, _("An answer is accepted"), ("accepted_answer",)),
    EventType(MEMBER_JOINED, _("Someone joins a space"), ("joined_space",)),
    EventType(FLAG_RAISED, _("Content or a profile is flagged"), ("flagged",)),
)
BY_CODE: dict[str, EventType] = {event_type.code: event_type for event_type in EVENT_TYPES}
AVAILABLE: tuple[EventType, ...] = tuple(t for t in EVENT_TYPES if t.available)
# Verb -> event type (each verb makes at most one type).
BY_VERB: dict[str, EventType] = {verb: t for t in AVAILABLE for verb in t.verbs}
LABELS: dict[str, str | Promise] = {
    **{t.code: t.label for t in EVENT_TYPES},
    PING: _("Test ping"),
}


def label(code: str) -> str:
    """The event type in words (what the pages show)."""
    return str(LABELS.get(code, code))

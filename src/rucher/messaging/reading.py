"""Read marks: a person's own state in a conversation, not an event of the network.

Like marking notifications read (``notifications/inbox.py``): nothing is appended to the
event log, so reading a conversation keeps every cached stream warm, and it is not an
``actions`` module (the write door's walk would require an event).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Greatest

from .models import Conversation, Participant
from .queries import get_conversation


def mark_read(person: Any, conversation: Conversation | int) -> int:
    """Move ``person``'s read mark to the conversation's newest message (never back): one
    UPDATE once the conversation is read through the policy (404 for a non-participant)."""
    if not isinstance(conversation, Conversation):
        conversation = get_conversation(person, conversation)
    return Participant.objects.filter(conversation_id=conversation.pk, person_id=person.pk).update(
        last_read_id=Greatest(F("last_read_id"), Value(conversation.last_message_id))
    )

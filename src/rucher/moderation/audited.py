"""What the audit trail keeps of a moderation decision: which decision, and why.

The trail's entry is written after commit from the ``moderated`` event; the decision row
committed with it carries the event's id, so the entry can say "hide: off-topic" rather than
only "took a moderation decision". The reason is cut short: the trail is a record of acts, not
a copy of what was said.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rucher.audit.mirror import describe
from rucher.moderation.models import ModerationDecision

if TYPE_CHECKING:
    from rucher.activity.models import Event

REASON_LENGTH = 300


def decision_detail(event: Event) -> dict[str, Any]:
    row = (
        ModerationDecision.objects.filter(event_id=event.pk)
        .values("decision", "reason", "until")
        .first()
    )
    if row is None:  # an event from before decisions carried their event
        return {}
    detail: dict[str, Any] = {"decision": row["decision"], "reason": row["reason"][:REASON_LENGTH]}
    if row["until"] is not None:
        detail["until"] = row["until"].isoformat()
    return detail


def register() -> None:
    describe("moderated", decision_detail)

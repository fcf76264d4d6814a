"""Acts of the event log that belong in the audit trail, copied there by the worker.

The act and its event commit together; the audit entry follows after commit, as a task of the
worker (``activity/subscribers.py``), keyed on the event id so a retried task appends nothing
twice. The one gap of an after-commit hand-off (a process dying between commit and enqueue)
is closed by ``catch_up`` (``rucher audit catch-up``, also run by the worker's periodic tick),
which appends every audited event the trail lacks; ``rucher audit verify`` says how many.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rucher.activity.subscribers import subscribe
from rucher.audit.models import AuditEntry, AuditHead
from rucher.audit.trail import append, current_head

if TYPE_CHECKING:
    from rucher.activity.models import Event

# Permission and role changes, administrative acts, tokens, sign-ins, deletions and restores,
# moderators' decisions.
# (Sign-ins are appended at once by people/signals.py, with the client's address.)
AUDITED_VERBS = (
    "created_space",
    "joined_space",
    "left_space",
    "invited",
    "requested_to_join",
    "changed_role",
    "created_token",
    "revoked_token",
    "deleted",
    "restored",
    "moderated",
    "added_watched_word",
    "changed_watched_word",
    "removed_watched_word",
    "changed_publishing_rules",
    "published_charter",
    "changed_space_rules",
    "created_account",
    "changed_account",
    "deactivated_account",
    "reactivated_account",
    "changed_group",
    "ended_sessions",
)
SUBSCRIBER = "rucher.audit.mirror"

# What an entry keeps beyond the event's columns, said by the domain that owns the act (the
# audit trail is below them and knows none): moderation registers the decision taken and its
# reason, so the trail says "hid a post: off-topic", not only "took a moderation decision".
# Each function reads what committed with the event; it must not write.
_DETAILS: dict[str, Callable[[Event], dict[str, Any]]] = {}


def describe(verb: str, detail_of: Callable[[Event], dict[str, Any]]) -> None:
    """Have ``verb``'s entries keep ``detail_of(event)`` as their (hashed) detail."""
    if verb not in AUDITED_VERBS:
        raise ValueError(f"{verb!r} is not an audited verb")
    _DETAILS[verb] = detail_of


def mirror(event: Event) -> None:
    mirror_event(event)


def mirror_event(event: Event) -> bool:
    """Append the event's entry; False when it is there already."""
    detail_of = _DETAILS.get(event.verb)
    entry = append(
        event.verb,
        actor_id=event.actor_id,
        object_type=event.object_type,
        object_id=event.object_id,
        space_id=event.space_id,
        target_id=event.target_id,
        event_id=event.pk,
        detail=detail_of(event) if detail_of is not None else None,
        at=event.at,
    )
    return entry is not None


def register() -> None:
    subscribe(*AUDITED_VERBS, handler=mirror, name=SUBSCRIBER)


def catch_up() -> int:
    """Append the audited events past the checkpoint that the trail lacks (a hand-off lost
    between commit and enqueue, or a worker that has not run yet: its tasks then find the
    entries there and append nothing); move the checkpoint; say how many were appended."""
    from django.db.models import Max

    from rucher.activity.models import Event

    head = current_head()
    newest = Event.objects.aggregate(newest=Max("id"))["newest"] or 0
    if newest <= head.checked_event_id:
        return 0
    known = set(
        AuditEntry.objects.filter(event_id__gt=head.checked_event_id).values_list(
            "event_id", flat=True
        )
    )
    missing = Event.objects.filter(
        pk__gt=head.checked_event_id, pk__lte=newest, verb__in=AUDITED_VERBS
    ).order_by("pk")
    added = 0
    for event in missing.iterator():
        if event.pk not in known and mirror_event(event):
            added += 1
    AuditHead.objects.filter(pk=1, checked_event_id__lt=newest).update(checked_event_id=newest)
    return added


def pending() -> int:
    """Audited events past the checkpoint (acts the trail may not hold yet)."""
    from rucher.activity.models import Event

    head = AuditHead.objects.filter(pk=1).first()
    checked = head.checked_event_id if head else 0
    acts = Event.objects.filter(pk__gt=checked, verb__in=AUDITED_VERBS).count()
    return acts - AuditEntry.objects.filter(event_id__gt=checked).count()


def note_bulk_load(source: str, counts: dict[str, int]) -> None:
    """A bulk load (an importer, the demo) is one entry of the trail, not the thousands of
    acts it contains: the checkpoint moves past its events, so they are never "pending".
    Called inside the load's transaction, after ``catch_up`` ran before the load began (so
    nothing live before it is skipped)."""
    from django.db.models import Max

    from rucher.activity.models import Event

    append("bulk_loaded", actor_label="bulk", detail={"source": source, **counts})
    newest = Event.objects.aggregate(newest=Max("id"))["newest"] or 0
    AuditHead.objects.filter(pk=1, checked_event_id__lt=newest).update(checked_event_id=newest)

"""A member's browser sessions: signing out the others (a lost phone, a shared computer)."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction

from rucher.activity.actions import record
from rucher.people.models import Person, SessionRecord


@transaction.atomic
def end_other_sessions(person: Person, current_key: str) -> int:
    """Sign the person out of every session but ``current_key``; how many ended."""
    others = SessionRecord.objects.filter(person=person).exclude(session_key=current_key)
    keys = list(others.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    others.delete()
    record(person, "ended_sessions", "person", person.pk, value=len(keys))
    return len(keys)

"""A person's own inbox state: marking notifications read.

Not an event of the network (docs/architecture.md, "Notifications"): nothing is appended to
the event log, so the stream caches keyed on the write generation stay warm; and it is not an
``actions`` module (the write door's walk would require an event).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.errors import Invalid
from rucher.paging import MAX_ID
from rucher.people.models import Person

from .models import Notification

MAX_IDS = 500  # ids marked in one request


def check_ids(ids: Any) -> list[int]:
    """A list of at most ``MAX_IDS`` positive ids, or Invalid (a 422)."""
    if not isinstance(ids, list | tuple):
        raise Invalid(_("ids must be a list of notification ids"))
    if len(ids) > MAX_IDS:
        raise Invalid(_("at most %(max)s ids at a time") % {"max": MAX_IDS})
    checked: list[int] = []
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
            raise Invalid(_("ids must be positive whole numbers"))
        checked.append(value)
    return checked


def mark_read(person: Person, ids: Iterable[int]) -> int:
    """Mark some of ``person``'s notifications read; ids that are not theirs, unknown or
    already read are ignored (one UPDATE). The number of rows marked."""
    wanted = check_ids(list(ids))
    if not wanted:
        return 0
    return Notification.objects.filter(
        recipient_id=person.pk, pk__in=wanted, read_at__isnull=True
    ).update(read_at=timezone.now())


def mark_all_read(person: Person) -> int:
    """Mark every unread notification of ``person`` read (one UPDATE)."""
    return Notification.objects.filter(recipient_id=person.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_subject_read(person: Person, subject: str) -> int:
    """Mark read ``person``'s unread notifications about ``subject`` (a conversation they
    just opened: "conversation:<id>"), one UPDATE."""
    return Notification.objects.filter(
        recipient_id=person.pk, subject=subject, read_at__isnull=True
    ).update(read_at=timezone.now())

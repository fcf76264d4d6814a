"""What the notification centre may forget (the worker's daily housekeeping, ``rucher prune``).

- Read notifications older than ``RUCHER_KEEP_READ_NOTIFICATIONS_DAYS`` (their actors go with
  them): the centre shows the recent ones; unread ones are kept whatever their age.
- The "already folded" marks of events older than ``RUCHER_KEEP_TASK_MARKS_DAYS``: a mark only
  stops a retried task from notifying twice, and no task is retried that late.

Deleted in batches (``activity.pruning.in_batches``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from rucher.activity.models import Event
from rucher.activity.pruning import in_batches
from rucher.notifications.models import Notification, NotificationEvent


def prune(now: datetime) -> dict[str, int]:
    read_before = now - timedelta(days=settings.RUCHER_KEEP_READ_NOTIFICATIONS_DAYS)
    old_read = Notification.objects.filter(read_at__isnull=False, updated_at__lt=read_before)
    notifications = sum(in_batches(old_read))
    marks_before = now - timedelta(days=settings.RUCHER_KEEP_TASK_MARKS_DAYS)
    # The first event of the kept period, found by one step down the ``at`` index (a minimum
    # over the whole period would read all of it).
    recent = (
        Event.objects.filter(at__gte=marks_before).order_by("at").values_list("id", flat=True)
    ).first()
    marks = 0
    if recent is not None:
        marks = sum(in_batches(NotificationEvent.objects.filter(event_id__lt=recent)))
    return {"read notifications": notifications, "notified-event marks": marks}

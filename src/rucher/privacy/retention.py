"""The daily retention run: each space's content older than its rule's months is deleted,
unless the space is under legal hold. Each space's outcome is a ``RetentionRun`` row, an
``applied_retention`` event and an entry of the audit trail.

Direct messages older than ``RUCHER_MESSAGE_RETENTION_DAYS`` (0: kept for ever) are deleted
by the same run, with their files (``apply_message_retention``; docs/messaging.md)."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rucher.activity.actions import record
from rucher.audit.trail import append
from rucher.conversations.models import Content
from rucher.messaging.models import Message, MessageAttachment
from rucher.people.models import Person
from rucher.privacy.models import RetentionRun, SpaceRetention


def cutoff_for(months: int, now: datetime | None = None) -> datetime:
    """The same day and time ``months`` calendar months earlier (the month's last day when
    that month is shorter)."""
    moment = now or timezone.now()
    years, month_index = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + years, month_index + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _acting_admin(rule: SpaceRetention) -> Person | None:
    if rule.set_by is not None and rule.set_by.is_active:
        return rule.set_by
    return (
        Person.objects.filter(is_active=True)
        .filter(Q(kind=Person.Kind.ADMIN) | Q(is_superuser=True))
        .order_by("pk")
        .first()
    )


def apply_rule(rule: SpaceRetention, now: datetime | None = None) -> RetentionRun:
    """Apply one space's rule now (in one transaction): delete its content older than the
    cutoff, replies with their thread; record what was done."""
    with transaction.atomic():
        rule = (
            SpaceRetention.objects.select_for_update(of=("self",))
            .select_related("set_by")
            .get(pk=rule.pk)
        )
        if rule.legal_hold or rule.months is None:
            run = RetentionRun.objects.create(
                space_id=rule.space_id, months=rule.months, held=rule.legal_hold
            )
        else:
            cutoff = cutoff_for(rule.months, now)
            old = Content.objects.filter(space_id=rule.space_id, created_at__lt=cutoff)
            # A root's replies go with it (they cascade), newer or not: a reply without its
            # thread makes no sense.
            deleted = old.count()
            Content.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()
            run = RetentionRun.objects.create(
                space_id=rule.space_id, months=rule.months, cutoff=cutoff, deleted=deleted
            )
        append(
            "applied_retention",
            object_type="space",
            object_id=rule.space_id,
            space_id=rule.space_id,
            detail={"months": rule.months, "held": run.held, "deleted": run.deleted},
        )
        actor = _acting_admin(rule)
        if actor is not None:
            record(actor, "applied_retention", "space", rule.space_id, space_id=rule.space_id)
    return run


def apply_message_retention(now: datetime | None = None) -> int:
    """Delete the direct messages older than the organisation's setting (one transaction;
    the files once it commits); an entry of the audit trail and an ``applied_retention``
    event (object ``messages``) say how many. The number deleted (0 when kept for ever)."""
    days = int(settings.RUCHER_MESSAGE_RETENTION_DAYS)
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        old = Message.objects.filter(created_at__lt=cutoff)
        files = [a.file.name for a in MessageAttachment.objects.filter(message__in=old) if a.file]
        deleted = old.count()
        if not deleted:
            return 0
        Message.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()
        append(
            "applied_retention",
            object_type="messages",
            detail={"days": days, "deleted": deleted},
        )
        actor = (
            Person.objects.filter(is_active=True)
            .filter(Q(kind=Person.Kind.ADMIN) | Q(is_superuser=True))
            .order_by("pk")
            .first()
        )
        if actor is not None:
            record(actor, "applied_retention", "messages", value=float(deleted))

        def remove() -> None:
            for name in files:
                default_storage.delete(name)

        transaction.on_commit(remove)
    return deleted


def apply_all(now: datetime | None = None) -> int:
    """Apply every rule, and the messages' retention; the number of items deleted."""
    total = 0
    for rule in SpaceRetention.objects.filter(Q(months__isnull=False) | Q(legal_hold=True)):
        total += apply_rule(rule, now).deleted
    return total + apply_message_retention(now)

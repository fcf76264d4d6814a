"""``rucher prune`` (and the worker's hourly housekeeping): what is past its time goes, what
is unread, waiting or recent stays."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rucher.activity.models import Event
from rucher.commands import prune as prune_command
from rucher.commands.prune import prune_everything
from rucher.notifications.models import Notification, NotificationEvent
from rucher.webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

Status = Delivery.Status


def _notification(person: Any, days_ago: int, *, read: bool, subject: str) -> Notification:
    at = timezone.now() - timedelta(days=days_ago)
    return Notification.objects.create(
        recipient=person,
        kind="mention",
        subject=subject,
        channel="app",
        first_event_id=1,
        last_event_id=1,
        created_at=at,
        updated_at=at,
        read_at=at if read else None,
    )


def _delivery(endpoint: Endpoint, status: str, days_ago: int, event_id: int) -> Delivery:
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_id=event_id, event_type="post.created", payload={}, status=status
    )
    at = timezone.now() - timedelta(days=days_ago)
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=at)  # auto_now on save
    return delivery


def test_prune_keeps_what_still_serves(world: dict[str, Any]) -> None:
    bob = world["bob"]
    old_read = _notification(bob, 200, read=True, subject="content:1")
    kept = [
        _notification(bob, 200, read=False, subject="content:2"),  # unread: whatever its age
        _notification(bob, 10, read=True, subject="content:3"),  # read, but recent
    ]
    endpoint = Endpoint.objects.create(url="https://example.org/hook", secret="s")
    gone = [
        _delivery(endpoint, Status.SUCCEEDED, 40, 1),
        _delivery(endpoint, Status.GAVE_UP, 40, 2),
    ]
    kept_deliveries = [
        _delivery(endpoint, Status.PENDING, 40, 3),
        _delivery(endpoint, Status.FAILED, 40, 4),  # still retried
        _delivery(endpoint, Status.SUCCEEDED, 5, 5),
    ]
    # Event ids follow time (the marks' cut-off is the first event of the kept period).
    Event.objects.update(at=timezone.now() - timedelta(days=90))
    old_event = Event.objects.create(
        actor=bob, verb="published", at=timezone.now() - timedelta(days=60)
    )
    new_event = Event.objects.create(actor=bob, verb="published", at=timezone.now())
    NotificationEvent.objects.create(recipient=bob, event_id=old_event.pk)
    NotificationEvent.objects.create(recipient=bob, event_id=new_event.pk)

    removed = prune_everything()

    assert removed["read notifications"] == 1
    assert removed["webhook deliveries"] == 2
    assert removed["notified-event marks"] == 1
    assert not Notification.objects.filter(pk=old_read.pk).exists()
    assert set(Notification.objects.values_list("pk", flat=True)) == {n.pk for n in kept}
    assert not Delivery.objects.filter(pk__in=[d.pk for d in gone]).exists()
    assert set(Delivery.objects.values_list("pk", flat=True)) == {d.pk for d in kept_deliveries}
    assert list(NotificationEvent.objects.values_list("event_id", flat=True)) == [new_event.pk]
    assert prune_everything() == dict.fromkeys(removed, 0), "nothing more on a second run"


def test_finished_task_results_go_after_their_time_and_failures_later(
    world: dict[str, Any],
) -> None:
    now = timezone.now()

    def result(status: str, days_ago: int | None) -> DBTaskResult:
        return DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="rucher.activity.tasks.nothing",
            backend_name="default",
            queue_name="default",
            run_after=now,
            finished_at=None if days_ago is None else now - timedelta(days=days_ago),
            exception_class_path="",
            traceback="",
        )

    old_success = result("SUCCESSFUL", 8)
    kept = [
        result("SUCCESSFUL", 2),
        result("FAILED", 8),  # failures are kept a month, to be looked into
        result("READY", None),
    ]
    old_failure = result("FAILED", 31)

    assert prune_everything()["finished task results"] == 2
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {r.pk for r in kept}
    assert old_success.pk not in remaining and old_failure.pk not in remaining


def test_the_command_says_what_it_removed(world: dict[str, Any]) -> None:
    _notification(world["bob"], 365, read=True, subject="content:9")
    outcome = CliRunner().invoke(prune_command.command, [])
    assert outcome.exit_code == 0, outcome.output
    assert "rucher prune: 1 read notifications removed" in outcome.output

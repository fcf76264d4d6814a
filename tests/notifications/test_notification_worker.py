"""The real path: an action commits, its events are handed to the fan-out as tasks, the worker
runs them (`rucher worker --batch`'s loop), and the hooks hear of the rows after the commit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from rucher.activity.tasks import LeasedWorker
from rucher.conversations import actions
from rucher.notifications import hooks
from rucher.notifications.models import Notification


@pytest.fixture
def heard() -> Iterator[list[list[int]]]:
    calls: list[list[int]] = []

    def callback(ids: Sequence[int]) -> None:
        calls.append(list(ids))

    hooks.on_notified("test.heard", callback)
    yield calls
    hooks.forget("test.heard")


@pytest.mark.django_db(transaction=True)
def test_the_worker_turns_a_post_into_notifications(
    world: dict[str, Any], heard: list[list[int]]
) -> None:
    alice, bob = world["alice"], world["bob"]
    DBTaskResult.objects.all().delete()
    post = actions.publish(alice, world["open"], "Bonjour @bob")
    actions.react(bob, post, "like")
    assert Notification.objects.count() == 0  # nothing in the request
    LeasedWorker(lease=timedelta(minutes=5), interval=0.01, worker_id="test").serve(once=True)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    rows = {(n.recipient_id, n.kind) for n in Notification.objects.all()}
    assert rows == {(bob.pk, "mention"), (alice.pk, "reaction")}
    assert sorted(pk for call in heard for pk in call) == sorted(
        Notification.objects.values_list("pk", flat=True)
    )

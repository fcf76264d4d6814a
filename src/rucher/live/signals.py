"""After a write commits, wake the pollers: this process's at once, the others through Redis.

``activity.record`` saves an ``Event`` (a post_save signal) and publishing saves a ``Content``
(the posted/mentioned events of a post go in one bulk insert, which sends no signal), so
every write that can change a stream or a thread is seen here; reads (``viewed``, bulk
inserts) are not. The task worker rings after writing notifications (``on_notified``). A
wake is only a hint to look now: missing one delays a push by one poll interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from rucher.activity.models import Event
from rucher.conversations.models import Content
from rucher.live import broker, hub
from rucher.notifications import hooks


def wake() -> None:
    hub.wake_all()
    broker.publish()


def _after_write(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(wake)


def _after_notified(notification_ids: Sequence[int]) -> None:
    wake()


def connect() -> None:
    post_save.connect(_after_write, sender=Event, dispatch_uid="rucher.live.event")
    post_save.connect(_after_write, sender=Content, dispatch_uid="rucher.live.content")
    hooks.on_notified("live", _after_notified)

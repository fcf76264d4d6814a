"""The fan-out run synchronously: tests call ``notify`` with the events their actions appended
(what the worker does after the commit; ``test_notification_worker.py`` runs the real worker)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.notifications.fanout import KIND_OF_VERB, notify


@pytest.fixture
def fan_out(db: Any) -> Callable[[], list[int]]:
    """Hand every event appended since the last call (of a verb the fan-out wants) to it,
    in order; the ids of the notifications created or bumped."""
    seen = {"last": Event.objects.order_by("-id").values_list("id", flat=True).first() or 0}

    def run() -> list[int]:
        events = list(
            Event.objects.filter(id__gt=seen["last"], verb__in=list(KIND_OF_VERB)).order_by("id")
        )
        seen["last"] = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ids: list[int] = []
        for event in events:
            ids += notify(event)
        return ids

    return run


@pytest.fixture
def smtp(settings: Any) -> Iterator[Any]:
    """A real SMTP server on a free local port (aiosmtpd, tests/notifications/smtp_sink.py),
    Django pointed at it, links made with an https base URL (the mail tests)."""
    from smtp_sink import SmtpSink

    sink = SmtpSink().start()
    sink.use(settings)
    settings.RUCHER_BASE_URL = "https://rucher.example.org"
    yield sink
    sink.stop()

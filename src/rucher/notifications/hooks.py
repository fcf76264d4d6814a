"""What happens once notifications are written: e-mail at once, a live push of the bell.

``notifications/fanout.py`` writes notification rows in the worker; the ways of telling a
person (``mail.py`` for e-mails at once, the live-update hub for the bell's count) register a
callback here instead of being imported by the fan-out, so each can be switched off or tested
alone. Callbacks run after the fan-out's transaction commits, with the ids of the rows created
or updated; they must be quick (enqueue a task, publish a message) and must not raise into the
fan-out (an exception is logged and the others still run).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import transaction

logger = logging.getLogger("rucher.notifications")

Callback = Callable[[Sequence[int]], None]

_callbacks: dict[str, Callback] = {}


def on_notified(name: str, callback: Callback) -> None:
    """Register ``callback`` under a stable ``name`` (registering it again replaces it)."""
    _callbacks[name] = callback


def forget(name: str) -> None:
    _callbacks.pop(name, None)


def notified(notification_ids: Sequence[int]) -> None:
    """Tell every callback, once the current transaction commits, which rows changed."""
    if not notification_ids:
        return
    ids = list(notification_ids)

    def run() -> None:
        for name, callback in list(_callbacks.items()):
            try:
                callback(ids)
            except Exception:
                logger.exception("notification callback %s failed for %s", name, ids[:20])

    transaction.on_commit(run)

"""A real `rucher worker` with a subscriber that blocks mid-task (run as a script by
tests/activity/test_killed_worker.py, on the database that DATABASE_URL names).

    python worker_harness.py post             record one `posted` event (in a transaction)
    python worker_harness.py worker ARGS…     `rucher worker ARGS…`

The subscriber writes `start EVENT PID` to $HARNESS_LOG, waits for the file $HARNESS_GATE to
appear, then writes `done EVENT PID`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from rucher.activity.subscribers import subscribe

LOG = Path(os.environ["HARNESS_LOG"])
GATE = Path(os.environ["HARNESS_GATE"])


def note(line: str) -> None:
    with LOG.open("a") as log:
        log.write(f"{line}\n")
        log.flush()
        os.fsync(log.fileno())


@subscribe("posted", name="harness.blocking")
def blocking(event: Any) -> None:
    note(f"start {event.id} {os.getpid()}")
    deadline = time.monotonic() + 120
    while not GATE.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the gate never opened")
        time.sleep(0.02)
    note(f"done {event.id} {os.getpid()}")


def post() -> None:
    from rucher.commands import setup_django

    setup_django()
    from django.db import transaction

    from rucher.activity import subscribers
    from rucher.activity.actions import record
    from rucher.people.models import Person

    # Only the harness's subscriber is handed the event (not the domains' ones, e.g. webhooks).
    for name in list(subscribers._by_name):
        if name != "harness.blocking":
            subscribers.unsubscribe(name)

    with transaction.atomic():
        person = Person.objects.create(username="harness", kind="employee")
        event = record(person, "posted", "post", 1)
    print(event.pk)


if __name__ == "__main__":
    if sys.argv[1] == "post":
        post()
    else:
        from rucher.cli import main

        main(sys.argv[1:])

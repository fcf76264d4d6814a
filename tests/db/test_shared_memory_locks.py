"""Threads sharing the test's in-memory SQLite database (an embedded server in the test process)
meet SQLite's shared-cache table locks, which fail at once instead of waiting: the backend
waits for them instead (``rucher.db.sqlite3``)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_write_waits_for_another_threads_open_read(make_person: Any) -> None:
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        pytest.skip("only a shared in-memory SQLite database has table locks")
    alice = make_person(username="alice")
    from rucher.activity.actions import record

    for n in range(3):
        record(alice, "posted", "post", n)
    reading, release = threading.Event(), threading.Event()

    def hold_a_read() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT id FROM activity_event")
                cursor.fetchone()  # the statement stays open: a read lock on the table
                reading.set()
                release.wait(5)
        finally:
            connections.close_all()

    reader = threading.Thread(target=hold_a_read)
    reader.start()
    assert reading.wait(5)
    threading.Timer(0.3, release.set).start()
    record(alice, "posted", "post", 99)  # without the wait: "database table is locked"
    reader.join(5)
    from rucher.activity.models import Event

    assert Event.objects.filter(object_id=99).exists()

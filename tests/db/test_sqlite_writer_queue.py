"""SQLite under concurrent writers: no "database is locked" while every write is short.

SQLite's busy handler retries a locked database every 100 ms or so; it is not a queue, and a
writer can lose every retry to writers that arrive later until its timeout runs out (the
probe: 500s with 2 and 4 workers). rucher's backend queues writers on a lock file instead
(rucher/db/sqlite3/base.py). Here 24 threads, each with its own connection to one database
file, write in transactions and in autocommit mode, with an 8-second timeout that the
twenty-three transactions of ten milliseconds queued before one never reach (3 s was reached
on a CI machine whose two cores were busy with other tests: the queue's order is what is
tested, not the machine's speed).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connections, transaction

THREADS = 24
ROUNDS = 30


@pytest.fixture
def alias(tmp_path: Path, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock():
        yield from _database(tmp_path)


def _database(tmp_path: Path) -> Any:
    name = "writer_queue_test"
    configured = connections.configure_settings(
        {
            "default": {"ENGINE": "django.db.backends.dummy"},
            name: {
                "ENGINE": "rucher.db.sqlite3",
                "NAME": str(tmp_path / "queue.sqlite3"),
                "OPTIONS": {
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                    "transaction_mode": "IMMEDIATE",
                    "timeout": 8.0,
                },
            },
        }
    )
    connections.settings[name] = configured[name]
    with connections[name].cursor() as cursor:
        cursor.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, who TEXT, n INTEGER)")
        cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)")
        cursor.execute("INSERT INTO counter (id, value) VALUES (1, 0)")
    connections[name].close()
    yield name
    connections[name].close()
    del connections[name]  # this thread's connection object, bound to this test's file
    del connections.settings[name]


def test_concurrent_writers_all_get_through(alias: str) -> None:
    errors: list[str] = []

    def writer(who: int) -> None:
        connection = connections[alias]
        try:
            for n in range(ROUNDS):
                try:
                    if n % 3 == 2:  # a lone statement in autocommit mode (like the view log)
                        with connection.cursor() as cursor:
                            cursor.execute(
                                "INSERT INTO note (who, n) VALUES (%s, %s)", [f"w{who}", n]
                            )
                        continue
                    with transaction.atomic(using=alias), connection.cursor() as cursor:
                        # read, think a little, write: a request's transaction
                        cursor.execute("SELECT value FROM counter WHERE id = 1")
                        value = cursor.fetchone()[0]
                        time.sleep(0.01)
                        cursor.execute("UPDATE counter SET value = %s WHERE id = 1", [value + 1])
                        cursor.execute("INSERT INTO note (who, n) VALUES (%s, %s)", [f"w{who}", n])
                except OperationalError as error:
                    errors.append(f"w{who}#{n}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors, f"{len(errors)} writes failed, first: {errors[:3]}"
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM note")
        assert cursor.fetchone()[0] == THREADS * ROUNDS
        cursor.execute("SELECT value FROM counter")
        transactions = THREADS * sum(1 for n in range(ROUNDS) if n % 3 != 2)
        assert cursor.fetchone()[0] == transactions  # no lost update either
    connections[alias].close()


def test_a_write_gives_up_after_the_timeout(alias: str) -> None:
    """The queue is bounded: a transaction held too long makes the next writer fail cleanly."""
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            cursor.execute("INSERT INTO note (who, n) VALUES ('holder', 0)")
            held.set()
            release.wait(30)
        connections[alias].close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(10)
        with (
            pytest.raises(OperationalError, match="locked"),
            transaction.atomic(using=alias),
            connections[alias].cursor() as cursor,
        ):
            cursor.execute("INSERT INTO note (who, n) VALUES ('late', 0)")
    finally:
        release.set()
        thread.join(30)
        connections[alias].close()

"""Django's SQLite backend, with writers queued on a lock instead of SQLite's busy polling.

Why: SQLite lets one writer at a time, and a writer that finds the database locked sleeps and
retries (1, 2, 5 … then every 100 ms) until its busy timeout. Those retries are not a queue:
a writer arriving just as the lock is released takes it before one that has slept for
seconds, so under a steady stream of writes from several processes some writers starve past
their timeout and the request fails with ``database is locked``, even though every
transaction is short. (The probe: 20 clients on 4 workers, 1-5 such 500s a minute, waits up to
the 5 s timeout.)

So every write, whether a transaction (``atomic``: BEGIN IMMEDIATE … COMMIT) or a single
statement in autocommit mode (the view log's INSERT, confidential-read records, a token's
``last_used_at``, session saves), first takes an exclusive ``flock`` on ``<database>-writer.lock``:
threads of one process wait on a ``threading.Lock`` (woken at once on release), and one thread
per process polls the file lock every few milliseconds. SQLite's own busy wait then almost
never runs (only against another program writing, e.g. ``sqlite3`` on the command line).

Both waits are bounded by the ``timeout`` option (seconds; settings.py, docs/deploy.md): past
it, the usual ``OperationalError: database is locked``. An in-memory database (the tests)
has a single connection and takes no lock.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

WRITE_STATEMENT = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
SHARED_CACHE_LOCKED = "table is locked"
SHARED_CACHE_WAIT = 10.0  # seconds
_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(path: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(path, threading.Lock())


class WriterLock:
    """One connection's hold on the writers' queue (a thread lock, then a file lock)."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.thread_lock = _process_lock(path)
        self.fd: int | None = None
        self.held = False

    def acquire(self) -> None:
        if self.held:
            return
        deadline = time.monotonic() + self.timeout
        if not self.thread_lock.acquire(timeout=self.timeout):
            raise OperationalError(f"database is locked (waited {self.timeout:g} s to write)")
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            pause = 0.0005
            while True:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise OperationalError(
                            f"database is locked (waited {self.timeout:g} s to write)"
                        ) from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.004)
        except BaseException:
            self.thread_lock.release()
            raise
        self.held = True

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        try:
            if self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.thread_lock.release()

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    @contextmanager
    def holding(self) -> Any:
        self.acquire()
        try:
            yield
        finally:
            self.release()


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    """Single write statements outside a transaction queue like transactions do."""

    writer: WriterLock | None = None
    wrapper: Any = None
    shared_memory = False

    def _run(self, statement: Any, query: str, params: Any) -> Any:
        if not self.shared_memory:
            return statement(query, params)
        deadline = time.monotonic() + SHARED_CACHE_WAIT
        while True:
            try:
                return statement(query, params)
            except sqlite3.OperationalError as error:
                if SHARED_CACHE_LOCKED not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    def _queued(self, query: str) -> bool:
        return (
            self.writer is not None
            and not self.writer.held
            and not self.wrapper.in_atomic_block
            and WRITE_STATEMENT.match(query) is not None
        )

    def execute(self, query: str, params: Any = None) -> Any:
        if self._queued(query):
            assert self.writer is not None
            with self.writer.holding():
                return super().execute(query, params)
        return self._run(super().execute, query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        if self._queued(query):
            assert self.writer is not None
            with self.writer.holding():
                return super().executemany(query, param_list)
        return self._run(super().executemany, query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    writer: WriterLock | None = None

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        if self.writer is not None:
            self.writer.close()
        self.writer = None
        if not self.is_in_memory_db() and os.environ.get("RUCHER_SQLITE_WRITER_QUEUE") != "0":
            self.writer = WriterLock(
                f"{self.settings_dict['NAME']}-writer.lock", float(conn_params.get("timeout", 5))
            )
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=SQLiteCursorWrapper)
        cursor.writer = self.writer
        cursor.wrapper = self
        cursor.shared_memory = self.is_in_memory_db()
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        if self.writer is not None:
            self.writer.acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self.writer is not None:
            self.writer.release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._release_writer()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._release_writer()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            if self.writer is not None:
                self.writer.close()
                self.writer = None

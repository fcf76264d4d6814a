"""A worker killed with SIGKILL mid-task loses nothing: `rucher worker` processes, for real, on
a file SQLite database or on PostgreSQL (whichever the suite runs on)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HARNESS = Path(__file__).with_name("worker_harness.py")
TABLE = "django_tasks_database_dbtaskresult"


def database_env(
    tmp_path: Path,
) -> tuple[dict[str, str], Callable[[], list[tuple[str, list[str]]]]]:
    """An environment whose DATABASE_URL is this test's (migrated) database, and a reader of
    the task rows (status, worker ids)."""
    from django.db import connection

    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        # The test database lives in memory: copy it (migrated, empty) to a file.
        path = tmp_path / "worker.sqlite3"
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        env["DATABASE_URL"] = f"sqlite:///{path}"

        def rows() -> list[tuple[str, list[str]]]:
            with sqlite3.connect(path) as db:
                found = db.execute(f"SELECT status, worker_ids FROM {TABLE}").fetchall()
            return [(status, json.loads(ids)) for status, ids in found]

    else:
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"

        def rows() -> list[tuple[str, list[str]]]:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT status, worker_ids FROM {TABLE}")
                found = cursor.fetchall()
            return [
                (status, ids if isinstance(ids, list) else json.loads(ids)) for status, ids in found
            ]

    return env, rows


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_was_killed_is_run_again_and_completes_once(tmp_path: Path) -> None:
    env, task_rows = database_env(tmp_path)
    log, gate = tmp_path / "log", tmp_path / "gate"
    env.update(HARNESS_LOG=str(log), HARNESS_GATE=str(gate))

    def harness(*args: str, **options: Any) -> Any:
        return [sys.executable, str(HARNESS), *args]

    posted = subprocess.run(
        harness("post"), env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert posted.returncode == 0, posted.stderr
    event_id = posted.stdout.strip().splitlines()[-1]
    assert task_rows() == [("READY", [])]  # handed on after commit: one task, not yet run

    def lines() -> list[str]:
        return log.read_text().splitlines() if log.exists() else []

    worker = ["worker", "--interval", "0.1", "--lease", "1"]
    first = subprocess.Popen(
        harness(*worker, "--worker-id", "first"), env=env, stdin=subprocess.DEVNULL
    )
    try:
        wait_for(lambda: lines(), "the first worker to start the task")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    assert task_rows() == [("RUNNING", ["first"])]  # what the library leaves behind

    gate.touch()
    second = subprocess.Popen(
        harness(*worker, "--worker-id", "second"), env=env, stdin=subprocess.DEVNULL
    )
    try:
        wait_for(lambda: len(lines()) >= 3, "the second worker to finish the task")
        wait_for(lambda: task_rows()[0][0] != "RUNNING", "the task to be marked finished")
    finally:
        second.terminate()  # a graceful stop: exit code 0
        assert second.wait(timeout=30) == 0

    assert lines() == [
        f"start {event_id} {first.pid}",
        f"start {event_id} {second.pid}",
        f"done {event_id} {second.pid}",
    ]
    assert task_rows() == [("SUCCESSFUL", ["first", "second"])]

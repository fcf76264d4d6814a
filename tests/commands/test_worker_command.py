"""`rucher worker` on the command line, and the worker `rucher serve` starts beside it (the
real processes: tests/activity/test_killed_worker.py, tests/commands/test_serve_real_server.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rucher.commands import serve

RUCHER = [sys.executable, "-c", "from rucher.cli import main; main()"]


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "RUCHER_DATA_DIR": str(tmp_path)}
    environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [*RUCHER, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        stdin=subprocess.DEVNULL,
    )


def test_worker_help(tmp_path: Path) -> None:
    assert "worker" in run(["--help"], tmp_path).stdout
    result = run(["worker", "--help"], tmp_path)
    assert result.returncode == 0
    for option in ("--lease", "--interval", "--batch", "--worker-id"):
        assert option in result.stdout
    assert "--parent-pid" not in result.stdout  # for `rucher serve` only


def test_a_worker_on_an_unmigrated_database_says_so_in_one_line(tmp_path: Path) -> None:
    result = run(["worker", "--batch"], tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "migrate first" in lines[0], result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(("flags", "expected"), [([], True), (["--no-worker"], False)])
def test_serve_starts_a_worker_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch, flags: list[str], expected: bool
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(serve, "serve_forever", lambda *args, **options: calls.append(options))
    result = CliRunner().invoke(serve.command, ["--port", "8125", *flags])
    assert result.exit_code == 0, result.output
    assert calls == [{"task_worker": expected}]


def test_no_worker_beside_means_none_started() -> None:
    with serve.task_worker_beside(False) as side:
        assert side is None

"""The console script's contract: help works, a wrong DATABASE_URL is one line and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

RUCHER = [sys.executable, "-c", "from rucher.cli import main; main()"]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "RUCHER_DATA_DIR": str(tmp_path), **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [*RUCHER, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        stdin=subprocess.DEVNULL,
    )


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run(["--help"], tmp_path)
    assert result.returncode == 0
    for name in ("demo", "serve", "export", "import", "evaluate", "insights"):
        assert name in result.stdout


@pytest.mark.parametrize(
    "url",
    ["nonsense://x", "postgres://nobody@127.0.0.1:1/nothing", "sqlite:////no/such/dir/db.sqlite3"],
)
def test_a_wrong_database_url_is_one_line_and_exit_2(tmp_path: Path, url: str) -> None:
    result = run(["serve", "--port", "8799"], tmp_path, DATABASE_URL=url)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_bad_option_values_exit_2(tmp_path: Path) -> None:
    assert run(["serve", "--port", "99999"], tmp_path).returncode == 2
    assert run(["export", "--format", "xml", str(tmp_path / "out")], tmp_path).returncode == 2


def test_migrate_alone_makes_every_table_a_worker_needs(tmp_path: Path) -> None:
    """Not the test runner's database: a real migrate,
    as `rucher serve` and `rucher demo` run it."""
    import sqlite3

    database = tmp_path / "fresh.sqlite3"
    result = run(["manage", "migrate", "-v0"], tmp_path, DATABASE_URL=f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "people_signinfailure" in tables  # the sign-in lockout counts

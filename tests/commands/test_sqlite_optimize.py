"""``rucher serve`` keeps SQLite's planner statistics as SQLite recommends."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from rucher.commands import serve

pytestmark = pytest.mark.django_db(transaction=True)


def _has_statistics() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        return cursor.fetchone() is not None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_serve_analyses_at_start_and_optimises_later(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUCHER_SQLITE_OPTIMIZE", raising=False)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    assert not _has_statistics()
    assert serve.optimize_sqlite(first=True) is True
    assert _has_statistics()
    assert serve.optimize_sqlite() is True  # the periodic run


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_it_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUCHER_SQLITE_OPTIMIZE", "0")
    assert serve.optimize_sqlite(first=True) is False


def test_postgresql_is_left_to_autovacuum() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("PostgreSQL only")
    assert serve.optimize_sqlite(first=True) is False


def test_the_periodic_optimizer_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[bool] = []
    monkeypatch.setattr(serve, "optimize_sqlite", lambda first=False: runs.append(first))
    optimizer = serve.SqliteOptimizer(every=0.01)
    optimizer.start()
    while not runs:
        optimizer.stop.wait(0.01)
    optimizer.stop.set()
    optimizer.join(timeout=5)
    assert not optimizer.is_alive() and runs[0] is False


def test_postgresql_tables_never_analysed_are_analysed_at_start(
    make_person: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a restore or a bulk load PostgreSQL has no statistics until autovacuum's first
    pass; its default guesses made the stream scans read and sort every root (issue 14)."""
    monkeypatch.delenv("RUCHER_PG_ANALYZE", raising=False)
    if connection.vendor == "sqlite":
        assert serve.analyze_postgres_never_analyzed() == []
        return
    make_person(username="stats")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    analysed = serve.analyze_postgres_never_analyzed()
    assert "people_person" in analysed
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s",
            ["people_person"],
        )
        assert cursor.fetchone() == (True,)
    assert "people_person" not in serve.analyze_postgres_never_analyzed()  # once is enough

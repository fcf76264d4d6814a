"""PostgreSQL connections: JIT compilation off unless the operator keeps the server's setting
(it cost a search 1.1 s of compiling for 40 ms of work at a million items)."""

from __future__ import annotations

import pytest
from django.db import connection

from rucher import settings as rucher_settings

URL = "postgres://rucher@db.example.org:5432/rucher"


def test_jit_is_off_unless_the_server_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", URL)
    monkeypatch.delenv("RUCHER_PG_JIT", raising=False)
    assert rucher_settings._database()["OPTIONS"]["options"] == "-c jit=off"
    monkeypatch.setenv("RUCHER_PG_JIT", "server")
    assert "options" not in rucher_settings._database()["OPTIONS"]
    monkeypatch.setenv("RUCHER_PG_PREPARED", "0")
    assert rucher_settings._database()["OPTIONS"] == {}


@pytest.mark.django_db
def test_the_live_connection_runs_without_jit() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"

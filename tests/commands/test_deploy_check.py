"""`rucher manage check --deploy` is clean under the production settings of docs/deploy.md
(behind TLS: RUCHER_HTTPS=1, a real host name), and each of those settings is what makes it
so: without RUCHER_HTTPS the same check warns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

RUCHER = [sys.executable, "-c", "from rucher.cli import main; main()"]


def deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # Not the test run's own switches (the browser tests allow async-unsafe calls).
    left_out = {"RUCHER_DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in left_out}
    environment |= {"RUCHER_DATA_DIR": str(tmp_path / "var"), "ALLOWED_HOSTS": "rse.example.org"}
    environment |= env
    return subprocess.run(
        [*RUCHER, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_the_documented_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = deploy_check(tmp_path, RUCHER_HTTPS="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_tls_the_deploy_check_names_what_is_missing(tmp_path: Path) -> None:
    result = deploy_check(tmp_path)
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


@pytest.mark.django_db
def test_the_policy_and_transport_headers_are_sent_behind_tls(client: object) -> None:
    from django.test import Client, override_settings

    assert isinstance(client, Client)
    with override_settings(
        SECURE_SSL_REDIRECT=True,
        SECURE_HSTS_SECONDS=31_536_000,
        SECURE_REDIRECT_EXEMPT=[r"^healthz$"],
    ):
        assert client.get("/login/").status_code == 301  # in clear: sent to https
        assert client.get("/healthz").status_code == 200  # the proxy's health check
        secure = client.get("/login/", secure=True)
        assert secure.status_code == 200
        assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "'unsafe-inline'" not in secure.headers["Content-Security-Policy"]

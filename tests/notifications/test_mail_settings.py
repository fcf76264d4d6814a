"""E-mail configuration: a malformed EMAIL_URL (or base URL) is one line and exit code 2 from
`rucher serve` and `rucher worker`, never a traceback; the demo says where its e-mails go."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from rucher.settings import email_settings

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


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("smtp://", "needs a host"),
        ("smtp://mail.example.org:99999", "Port out of range"),
        ("smtp://[::1", "not a URL"),
        ("gopher://mail.example.org", "unknown scheme"),
        ("file://", "needs a folder"),
    ],
)
def test_a_malformed_email_url_is_refused_clearly(url: str, says: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=says):
        email_settings(url)


@pytest.mark.parametrize("command", [["worker", "--batch"], ["serve", "--port", "18399"]])
def test_serve_and_worker_exit_2_with_one_line(tmp_path: Path, command: list[str]) -> None:
    result = run(command, tmp_path, EMAIL_URL="smtp://[::1")
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["Error: configuration: EMAIL_URL is not a URL: Invalid IPv6 URL"]


def test_a_base_url_that_is_not_http_is_refused(tmp_path: Path) -> None:
    result = run(["worker", "--batch"], tmp_path, RUCHER_BASE_URL="rucher.example.org")
    assert result.returncode == 2 and "RUCHER_BASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_says_where_its_e_mails_go(settings: object, tmp_path: Path) -> None:
    from rucher.commands.demo import mail_folder_notice

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")  # type: ignore[attr-defined]
    notice = mail_folder_notice()
    assert str(tmp_path / "mail") in notice and "worker" in notice

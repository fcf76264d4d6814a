"""Building blocks shared by the ``rucher`` subcommands.

Each subcommand lives in its own module and imports heavy libraries inside its function,
so that ``rucher --help`` stays instant.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click


class CliError(click.ClickException):
    """Bad input on the command line: one clear line on stderr and exit code 2."""

    exit_code = 2


def setup_django() -> None:
    """Configure Django and check the database answers; a wrong DATABASE_URL is a CliError."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rucher.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
        from django.db import connection

        connection.ensure_connection()
    except ImproperlyConfigured as error:
        raise CliError(f"configuration: {error}") from error
    except Exception as error:  # the driver's own error types vary by backend
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise CliError(f"cannot reach the database (DATABASE_URL): {first_line}") from error


def existing_path(path: str | Path, what: str = "file") -> Path:
    """The path, or a CliError that names it (datasets may be absent on this machine)."""
    resolved = Path(path)
    if not resolved.exists():
        raise CliError(f"{what} not found: {resolved}")
    return resolved


def write_json(path: str | Path, payload: Any) -> None:
    """Write JSON atomically (never a half-written file)."""
    import json

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    tmp.replace(target)

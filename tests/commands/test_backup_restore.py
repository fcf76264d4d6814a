"""`rucher backup` / `rucher restore`: every row of every table and every attachment come back;
a damaged backup or a database holding data is refused before anything is touched.

Runs on SQLite and, under DATABASE_URL=postgres://…, on PostgreSQL (pg_dump/pg_restore).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from rucher.commands import CliError, backup
from rucher.conversations import actions
from rucher.conversations.actions import attach
from rucher.conversations.models import Content
from rucher.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def every_row() -> dict[str, list[tuple[Any, ...]]]:
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def every_file(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run(*args: str) -> Any:
    command = backup.backup_command if args[0] == "backup" else backup.restore_command
    return CliRunner().invoke(command, list(args[1:]))


@pytest.fixture
def organisation(settings: Any, tmp_path: Path) -> Path:
    from rucher.commands.demo import load_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(3, people=40, items=300, progress=False)
    author = Person.objects.get(username="employe")
    post = Content.objects.filter(author=author, kind="post").first() or actions.publish(
        author, author.memberships.first().space, "pièces jointes"
    )
    attach(author, post, SimpleUploadedFile("notes.txt", ("é" * 3000).encode(), "text/plain"))
    attach(author, post, SimpleUploadedFile("table.csv", b"a,b\n1,2\n", "text/csv"))
    return Path(settings.MEDIA_ROOT)


def test_a_backup_restores_every_row_and_every_file(organisation: Path, tmp_path: Path) -> None:
    rows, files = every_row(), every_file(organisation)
    assert len(files) == 2 and sum(len(r) for r in rows.values()) > 1000

    made = run("backup", str(tmp_path / "backup"))
    assert made.exit_code == 0, made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["rucher_version"] and "people.0004_sign_in_delays" in manifest["migrations"]
    assert manifest["tables"]["people_person"] == Person.objects.count()
    assert len(manifest["files"]) == 3  # the database and two attachments
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())

    # Disaster: the data and the attachments are gone.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(organisation)
    assert not Person.objects.exists()

    restored = run("restore", str(tmp_path / "backup"))
    assert restored.exit_code == 0, restored.output
    assert "checksums verified" in restored.output and "2 attachment file(s)" in restored.output
    assert every_row() == rows
    assert every_file(organisation) == files

    # A second restore would overwrite data: refused unless --force.
    refused = run("restore", str(tmp_path / "backup"))
    assert refused.exit_code == 2 and "already holds data" in refused.output
    Person.objects.filter(username="employe").update(first_name="Changé")
    forced = run("restore", "--force", str(tmp_path / "backup"))
    assert forced.exit_code == 0, forced.output
    assert every_row() == rows
    assert every_file(organisation) == files
    kept = [p.name for p in organisation.parent.iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1 and "kept in" in forced.output


def test_a_damaged_backup_is_refused_before_anything_is_touched(
    organisation: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backup"
    assert run("backup", str(folder)).exit_code == 0
    before = every_row()
    attachment = next((folder / "media").rglob("*.csv"))
    attachment.write_bytes(b"a,b\n6,6\n")  # same size, other bytes
    refused = run("restore", "--force", str(folder))
    assert refused.exit_code == 2
    assert "checksum differs" in refused.output and "nothing restored" in refused.output
    assert every_row() == before
    attachment.unlink()
    assert "missing" in run("restore", "--force", str(folder)).output
    assert run("backup", str(folder)).exit_code == 2  # a backup never overwrites another


def test_missing_postgresql_tools_are_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RUCHER_PG_BIN", str(tmp_path))
    with pytest.raises(CliError) as error:
        backup.pg_tool("pg_dump")
    assert error.value.exit_code == 2 and "pg_dump not found" in error.value.message
    if connection.vendor == "postgresql":
        answer = run("backup", str(tmp_path / "backup"))
        assert answer.exit_code == 2 and "pg_dump not found" in answer.output

"""``rucher backup DIR`` and ``rucher restore DIR``: the database and the attachments.

A backup folder holds:

* ``database.sqlite3`` (SQLite, written by SQLite's online backup API while rucher serves)
  or ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``);
* ``media/``: a copy of the attachments and photos folder (``MEDIA_ROOT``);
* ``keys/``: the secrets rucher generated into its data folder when the environment gave none
  (``secret_key``, which signs the calendar feed addresses, and ``vapid_private.pem``, which
  signs web pushes). Without them a restored server would retire every feed address and
  every device subscribed to push; a key given in the environment is the operator's to keep;
* ``manifest.json``: the rucher version, the database vendor, the applied migrations, the
  row count of every table and the sha256 and size of every other file of the folder.

``restore`` checks every checksum, the vendor and the migrations before it touches anything,
refuses a database that already holds data unless ``--force``, then replaces the database
(SQLite's backup API, or ``pg_restore --clean --single-transaction``), the attachments
folder and the keys (what was there is kept aside, renamed), and applies any newer migration.

Scheduling and retention: docs/deploy.md ("Backups").
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from rucher.commands import CliError, setup_django, write_json

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA = "media"
KEYS = "keys"
# Generated once into RUCHER_DATA_DIR by settings.py and notifications/push.py.
KEY_FILES = ("secret_key", "vapid_private.pem")
CHUNK = 1024 * 1024
# Tables that migrate fills by itself: a database holding only these counts as empty.
AUTOMATIC_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
# SQLite's FTS5 keeps its own bookkeeping rows in shadow tables even while the index is empty
# (the search index's ``search_fts``): rows there say nothing about the data.
FTS5_SHADOW_SUFFIXES = ("_config", "_data", "_idx", "_docsize")


# --- helpers ----------------------------------------------------------------------------------


@contextmanager
def progress() -> Iterator[Any]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        yield bar


def sha256(path: Path, bar: Any = None, task: Any = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            if bar is not None:
                bar.advance(task, len(chunk))
    return digest.hexdigest()


def media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore`` (``RUCHER_PG_BIN`` names their folder)."""
    folder = os.environ.get("RUCHER_PG_BIN")
    found = (
        shutil.which(name, path=folder)
        if folder
        else shutil.which(name)
        or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    )
    if not found:
        where = f"in {folder} (RUCHER_PG_BIN)" if folder else "on the PATH"
        raise CliError(
            f"{name} not found {where}: install PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client), the same major version as the server"
        )
    return found


def _pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as error:
        raise CliError(f"{what}: cannot run {command[0]}: {error}") from error
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise click.ClickException(f"{what} failed: {' / '.join(detail[-3:]) or done.returncode}")


def _table_counts(connection: Any) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _applied_migrations(connection: Any) -> list[str]:
    from django.db.migrations.recorder import MigrationRecorder

    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rucher")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


# --- backup -----------------------------------------------------------------------------------


def _backup_sqlite(connection: Any, target: Path, bar: Any) -> None:
    connection.ensure_connection()
    source = connection.connection  # the live sqlite3 connection (works for :memory: too)
    task = bar.add_task("database (SQLite online backup)", total=None)
    destination = sqlite3.connect(target)
    try:

        def advance(status: int, remaining: int, total: int) -> None:
            bar.update(task, total=total * 4096, completed=(total - remaining) * 4096)

        source.backup(destination, pages=2048, progress=advance)
        # One self-contained file: no -wal beside it, readable read-only.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
    bar.remove_task(task)


def _backup_postgres(connection: Any, target: Path, bar: Any) -> None:
    pg_dump = pg_tool("pg_dump")
    task = bar.add_task("database (pg_dump)", total=None)
    _run(
        [pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)],
        _pg_environment(connection.settings_dict),
        "pg_dump",
    )
    bar.remove_task(task)


def make_backup(directory: Path) -> dict[str, Any]:
    """Write a backup of the database and the media folder to ``directory``."""
    from django.conf import settings
    from django.db import connection

    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise CliError(f"{directory} is not an empty folder: give a new one for each backup")
    if connection.vendor not in ("sqlite", "postgresql"):
        raise CliError(f"backup: unsupported database {connection.vendor}")
    directory.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with progress() as bar:
        counts = _table_counts(connection)
        migrations = _applied_migrations(connection)
        if connection.vendor == "sqlite":
            database = directory / SQLITE_FILE
            _backup_sqlite(connection, database, bar)
        else:
            database = directory / PG_FILE
            _backup_postgres(connection, database, bar)
        files: dict[str, dict[str, Any]] = {}
        sources = media_files(media_root)
        total = sum(p.stat().st_size for p in sources)
        task = bar.add_task(f"attachments ({len(sources)} files)", total=total)
        for source in sources:
            relative = source.relative_to(media_root).as_posix()
            copy = directory / MEDIA / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
            files[f"{MEDIA}/{relative}"] = {
                "sha256": sha256(copy, bar, task),
                "bytes": copy.stat().st_size,
            }
        for name in KEY_FILES:
            key = Path(settings.DATA_DIR) / name
            if key.is_file():
                copy = directory / KEYS / name
                copy.parent.mkdir(mode=0o700, exist_ok=True)
                shutil.copyfile(key, copy)
                copy.chmod(0o600)
                files[f"{KEYS}/{name}"] = {"sha256": sha256(copy), "bytes": copy.stat().st_size}
        task = bar.add_task("checksum of the database", total=database.stat().st_size)
        files[database.name] = {
            "sha256": sha256(database, bar, task),
            "bytes": database.stat().st_size,
        }
    manifest = {
        "format": FORMAT,
        "rucher_version": _version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "vendor": connection.vendor,
        "database": database.name,
        "migrations": migrations,
        "tables": counts,
        "files": dict(sorted(files.items())),
    }
    write_json(directory / MANIFEST, manifest)
    return manifest


# --- restore ----------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise CliError(f"{path} not found: not a rucher backup folder")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise CliError(f"{path} is unreadable: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CliError(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def verify(directory: Path, manifest: dict[str, Any]) -> list[str]:
    """Every problem with the folder's files (missing, resized, altered); [] if none."""
    problems = []
    files = manifest.get("files", {})
    if manifest.get("database") not in files:
        problems.append("the manifest lists no database file")
    with progress() as bar:
        task = bar.add_task("verifying checksums", total=sum(f["bytes"] for f in files.values()))
        for name, expected in files.items():
            path = directory / name
            if ".." in Path(name).parts or Path(name).is_absolute():
                problems.append(f"{name}: a path outside the backup folder")
            elif not path.is_file():
                problems.append(f"{name}: missing")
            elif path.stat().st_size != expected["bytes"]:
                problems.append(
                    f"{name}: {path.stat().st_size} bytes, expected {expected['bytes']}"
                )
            elif sha256(path, bar, task) != expected["sha256"]:
                problems.append(f"{name}: checksum differs (altered or damaged)")
    return problems


def holds_data(connection: Any) -> list[str]:
    """The tables holding rows beyond what ``migrate`` creates by itself."""
    counts = _table_counts(connection)
    return [
        t
        for t, n in counts.items()
        if n
        and t not in AUTOMATIC_TABLES
        and not (t.startswith("search_fts") and t.endswith(FTS5_SHADOW_SUFFIXES))
    ]


def _restore_sqlite(connection: Any, source: Path, bar: Any) -> None:
    connection.ensure_connection()
    if not connection.get_autocommit():
        raise CliError("restore: the database connection is inside a transaction")
    task = bar.add_task("database (SQLite backup API)", total=None)
    backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:

        def advance(status: int, remaining: int, total: int) -> None:
            bar.update(task, total=total * 4096, completed=(total - remaining) * 4096)

        backup.backup(connection.connection, pages=2048, progress=advance)
    finally:
        backup.close()
    bar.remove_task(task)


def _restore_postgres(connection: Any, source: Path, bar: Any) -> None:
    pg_restore = pg_tool("pg_restore")
    settings_dict = dict(connection.settings_dict)
    connection.close()  # pg_restore drops tables: hold no lock on them
    task = bar.add_task("database (pg_restore)", total=None)
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--dbname",
            settings_dict["NAME"],
            str(source),
        ],
        _pg_environment(settings_dict),
        "pg_restore",
    )
    bar.remove_task(task)


def _restore_media(directory: Path, manifest: dict[str, Any], media_root: Path) -> str:
    """Put the backup's media folder in place; the current one, if any, is kept aside."""
    names = [n for n in manifest["files"] if n.startswith(f"{MEDIA}/")]
    incoming = media_root.with_name(f"{media_root.name}.restoring")
    if incoming.exists():
        shutil.rmtree(incoming)
    incoming.mkdir(parents=True)
    for name in names:
        target = incoming / name.removeprefix(f"{MEDIA}/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(directory / name, target)
    kept = ""
    if media_root.exists():
        if media_files(media_root):
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = media_root.with_name(f"{media_root.name}.before-restore-{stamp}")
            media_root.rename(aside)
            kept = f"; the previous attachments were kept in {aside}"
        else:
            shutil.rmtree(media_root)
    incoming.rename(media_root)
    return f"{len(names)} attachment file(s) restored to {media_root}{kept}"


def _restore_keys(directory: Path, manifest: dict[str, Any], data_dir: Path) -> str | None:
    """Put the backup's generated keys in place; a different key there is kept aside."""
    restored = []
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in KEY_FILES:
        if f"{KEYS}/{name}" not in manifest["files"]:
            continue
        source, target = directory / KEYS / name, data_dir / name
        if target.is_file() and target.read_bytes() == source.read_bytes():
            continue
        if target.exists():
            target.rename(target.with_name(f"{name}.before-restore-{stamp}"))
        incoming = target.with_name(f"{name}.restoring")
        shutil.copyfile(source, incoming)
        incoming.chmod(0o600)
        incoming.rename(target)
        restored.append(name)
    if not restored:
        return None
    return (
        f"key(s) {', '.join(restored)} restored to {data_dir} (any other one kept aside, "
        "renamed): restart rucher (serve and worker) so that they take effect"
    )


def restore_backup(directory: Path, force: bool) -> list[str]:
    """Restore ``directory`` into the configured database; the report's lines."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    manifest = read_manifest(directory)
    if manifest["vendor"] != connection.vendor:
        raise CliError(
            f"this backup is of a {manifest['vendor']} database; "
            f"DATABASE_URL is {connection.vendor}"
        )
    if problems := verify(directory, manifest):
        raise CliError("backup damaged, nothing restored:\n  " + "\n  ".join(problems))
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    if unknown := sorted(set(manifest["migrations"]) - known):
        raise CliError(
            f"this backup comes from a newer rucher ({manifest['rucher_version']}): "
            f"unknown migrations {', '.join(unknown[:5])}; upgrade rucher first"
        )
    if (tables := holds_data(connection)) and not force:
        raise CliError(
            f"the database already holds data ({', '.join(tables[:5])}"
            f"{'…' if len(tables) > 5 else ''}): nothing restored; "
            "give --force to replace it"
        )
    report = [
        f"backup of {manifest['created_at']} (rucher {manifest['rucher_version']}, "
        f"{manifest['vendor']}): {len(manifest['files'])} file(s), checksums verified"
    ]
    if tables:
        report.append(f"--force: replacing a database that held data in {len(tables)} table(s)")
    database = directory / manifest["database"]
    with progress() as bar:
        if connection.vendor == "sqlite":
            _restore_sqlite(connection, database, bar)
        else:
            _restore_postgres(connection, database, bar)
    rows = sum(manifest["tables"].values())
    report.append(f"database restored: {len(manifest['tables'])} tables, {rows} rows")
    report.append(_restore_media(directory, manifest, Path(settings.MEDIA_ROOT)))
    if keys := _restore_keys(directory, manifest, Path(settings.DATA_DIR)):
        report.append(keys)
    pending = sorted(known - set(_applied_migrations(connection)))
    if pending:
        call_command("migrate", interactive=False, verbosity=0)
        report.append(f"{len(pending)} newer migration(s) applied")
    return report


# --- commands ---------------------------------------------------------------------------------


@click.command(name="backup")
@click.argument("directory", type=click.Path(path_type=Path))
def backup_command(directory: Path) -> None:
    """Back up the database and the attachments to DIRECTORY (new or empty)."""
    setup_django()
    try:
        manifest = make_backup(directory)
    except OSError as error:
        raise CliError(f"cannot write the backup to {directory}: {error}") from error
    size = sum(f["bytes"] for f in manifest["files"].values())
    attachments = sum(1 for name in manifest["files"] if name.startswith(f"{MEDIA}/"))
    keys = [name.removeprefix(f"{KEYS}/") for name in manifest["files"] if name.startswith(KEYS)]
    click.echo(
        f"rucher backup: {manifest['vendor']} database ({len(manifest['tables'])} tables, "
        f"{sum(manifest['tables'].values())} rows), "
        f"{attachments} attachment file(s) and "
        f"{len(keys)} generated key(s) {', '.join(keys)}, {size / 1e6:.1f} MB -> {directory}"
    )
    if keys:
        click.echo(
            f"rucher backup: {directory / KEYS} holds secrets (mode 0600): "
            "store the backup where only administrators can read it"
        )


@click.command(name="restore")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="replace a database that already holds data")
def restore_command(directory: Path, force: bool) -> None:
    """Restore a backup made by `rucher backup` (checksums verified first)."""
    setup_django()
    try:
        report = restore_backup(directory, force)
    except OSError as error:
        raise CliError(f"restore: {error}") from error
    for line in report:
        click.echo(f"rucher restore: {line}")

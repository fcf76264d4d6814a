"""``rucher audit``: check the audit trail's chain, catch up on lost hand-offs, export it."""

from __future__ import annotations

import getpass
import sys
from datetime import datetime
from pathlib import Path

import click

from rucher.commands import CliError, setup_django


def operator_label() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment (a container)
        return "cli"


@click.group(name="audit")
def group() -> None:
    """The audit trail: who did what, append-only and tamper-evident."""


@group.command(name="verify")
def verify_command() -> None:
    """Recompute every entry's hash in order; name the first entry that does not hold.

    Exit code 0 when the chain is intact, 1 when it is broken."""
    setup_django()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from rucher.audit import mirror
    from rucher.audit.models import AuditEntry
    from rucher.audit.verify import verify

    total = AuditEntry.objects.count()
    console = Console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("checking the chain", total=total)
        verdict = verify(progress=lambda n: progress.advance(task, n))
    if not verdict.intact:
        click.echo(
            f"rucher audit: BROKEN at entry #{verdict.broken_at}: {verdict.reason} "
            f"({verdict.checked} entries before it hold)"
        )
        sys.exit(1)
    click.echo(
        f"rucher audit: {verdict.checked} entries, chain intact; last hash {verdict.last_hash}"
    )
    if waiting := mirror.pending():
        click.echo(
            f"rucher audit: {waiting} audited acts are not in the trail yet (the worker has not "
            "run them): `rucher audit catch-up` appends them now"
        )


@group.command(name="catch-up")
def catch_up_command() -> None:
    """Append the audited acts of the event log that the trail does not hold yet."""
    setup_django()
    from rucher.audit import mirror

    added = mirror.catch_up()
    click.echo(f"rucher audit: {added} entries appended")


def _when(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    from django.utils import timezone

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(f"{option}: expected a date like 2026-12-01 or 2026-12-01T08:00") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@group.command(name="export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="file to write (default: standard output)",
)
@click.option("--actor", default="", help="username of who acted")
@click.option("--action", default="", help="e.g. changed_role, sign_in_failed")
@click.option("--since", default=None, help="from this date (ISO 8601)")
@click.option("--until", default=None, help="before this date (ISO 8601)")
def export_command(
    fmt: str, output: Path | None, actor: str, action: str, since: str | None, until: str | None
) -> None:
    """Write the trail (or a search of it) as CSV or JSON Lines; the export is itself audited."""
    setup_django()
    from rucher.audit.queries import AuditFilter, search, write_export
    from rucher.audit.trail import append

    filters = AuditFilter(
        actor=actor, action=action, since=_when(since, "--since"), until=_when(until, "--until")
    )
    entries = search(filters).order_by("seq").iterator(chunk_size=5000)
    try:
        if output is None:
            count = write_export(entries, fmt, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = write_export(entries, fmt, out)
    except OSError as error:
        raise CliError(f"cannot write to {output}: {error.strerror or error}") from error
    append(
        "exported_audit",
        actor_label=operator_label(),
        detail={"format": fmt, **filters.as_detail(), "entries": count},
    )
    if output is not None:
        click.echo(f"rucher audit: {count} entries -> {output}")

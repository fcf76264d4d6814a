"""``rucher import email-edges FILE [--departments FILE]``: a SNAP-style e-mail edge list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from rucher.commands import CliError, existing_path
from rucher.commands.imports._finish import finish_import


@contextmanager
def file_progress(path: Path, label: str) -> Iterator[Callable[[int], None]]:
    """A rich progress bar over the bytes of ``path``; yields the callback importers call."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=path.stat().st_size)
        yield lambda size: progress.advance(task, size)


def no_db_options(function: Callable[..., None]) -> Callable[..., None]:
    function = click.option(
        "--out", type=click.Path(file_okay=False), help="With --no-db: where to write tables."
    )(function)
    return click.option(
        "--no-db", is_flag=True, help="Write the contract tables (Parquet) instead of the DB."
    )(function)


@click.command(name="email-edges")
@click.argument("edges_file", metavar="FILE")
@click.option("--departments", "departments_file", metavar="FILE", help='"person department".')
@no_db_options
def command(edges_file: str, departments_file: str | None, no_db: bool, out: str | None) -> None:
    """Import e-mail edges "src dst" (one message per line), optionally with departments."""
    from rucher.insights.contract import ContractError
    from rucher.insights.importers.edges import read_email_edges

    path = existing_path(edges_file)
    departments = existing_path(departments_file) if departments_file else None
    try:
        with file_progress(path, "e-mail edges") as advance:
            dataset = read_email_edges(path, departments, advance)
    except ContractError as error:
        raise CliError(str(error)) from error
    finish_import(dataset, no_db=no_db, out=out, source=f"email-edges:{path.name}")

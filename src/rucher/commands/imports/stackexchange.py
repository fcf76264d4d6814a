"""``rucher import stackexchange DIR``: a Stack Exchange data dump (Posts.xml, Users.xml …)."""

from __future__ import annotations

import click

from rucher.commands import CliError, existing_path
from rucher.commands.imports._finish import finish_import
from rucher.commands.imports.email_edges import no_db_options


@click.command(name="stackexchange")
@click.argument("directory", metavar="DIR")
@no_db_options
def command(directory: str, no_db: bool, out: str | None) -> None:
    """Import a Stack Exchange dump: questions, answers, comments, votes, tags as topics."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from rucher.insights.contract import ContractError
    from rucher.insights.importers.stackexchange import DUMP_FILES, load_stackexchange

    path = existing_path(directory, "directory")
    if not path.is_dir():
        raise CliError(f"not a directory: {path}")
    total = sum((path / name).stat().st_size for name in DUMP_FILES if (path / name).is_file())
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            transient=True,
        ) as progress:
            task = progress.add_task("stack exchange dump", total=total)
            dataset = load_stackexchange(path, progress=lambda n: progress.advance(task, n))
    except ContractError as error:
        raise CliError(str(error)) from error
    finish_import(dataset, no_db=no_db, out=out, source=f"stackexchange:{path.name}")

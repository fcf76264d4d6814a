"""``rucher import tables DIR``: the four contract tables as .csv or .jsonl files in DIR."""

from __future__ import annotations

import click

from rucher.commands import CliError, existing_path
from rucher.commands.imports._finish import finish_import
from rucher.commands.imports.email_edges import no_db_options


@click.command(name="tables")
@click.argument("directory", metavar="DIR")
@no_db_options
def command(directory: str, no_db: bool, out: str | None) -> None:
    """Import people/spaces/content/events (.csv or .jsonl) from DIR, all or nothing."""
    from rucher.insights.contract import ContractError
    from rucher.insights.importers.tables import read_tables

    path = existing_path(directory, "folder")
    if not path.is_dir():
        raise CliError(f"not a folder: {path}")
    try:
        dataset = read_tables(path)
    except ContractError as error:
        raise CliError(str(error)) from error
    finish_import(dataset, no_db=no_db, out=out, source=f"tables:{path.name}")

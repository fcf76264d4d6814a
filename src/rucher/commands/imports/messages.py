"""``rucher import messages FILE``: a "src dst unix_time" message log (e.g. SNAP CollegeMsg)."""

from __future__ import annotations

import click

from rucher.commands import CliError, existing_path
from rucher.commands.imports._finish import finish_import
from rucher.commands.imports.email_edges import file_progress, no_db_options


@click.command(name="messages")
@click.argument("messages_file", metavar="FILE")
@no_db_options
def command(messages_file: str, no_db: bool, out: str | None) -> None:
    """Import messages "src dst unix_time" (the time is optional: 1970-01-01 UTC without)."""
    from rucher.insights.contract import ContractError
    from rucher.insights.importers.edges import read_messages

    path = existing_path(messages_file)
    try:
        with file_progress(path, "messages") as advance:
            dataset = read_messages(path, advance)
    except ContractError as error:
        raise CliError(str(error)) from error
    finish_import(dataset, no_db=no_db, out=out, source=f"messages:{path.name}")

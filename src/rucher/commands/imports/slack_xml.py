"""``rucher import slack-xml FILE``: a Slack channel in the MSR 2020 disentangled-chat XML."""

from __future__ import annotations

import click

from rucher.commands import CliError, existing_path
from rucher.commands.imports._finish import finish_import
from rucher.commands.imports.email_edges import file_progress, no_db_options


@click.command(name="slack-xml")
@click.argument("xml_file", metavar="FILE")
@no_db_options
def command(xml_file: str, no_db: bool, out: str | None) -> None:
    """Import a Slack channel: conversations become posts/questions and their comments."""
    from rucher.insights.contract import ContractError
    from rucher.insights.importers.slack import read_slack_xml

    path = existing_path(xml_file)
    try:
        with file_progress(path, "slack xml") as advance:
            dataset = read_slack_xml(path, advance)
    except ContractError as error:
        raise CliError(str(error)) from error
    finish_import(dataset, no_db=no_db, out=out, source=f"slack-xml:{path.name}")

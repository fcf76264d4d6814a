"""The ``rucher`` console script."""

from __future__ import annotations

import click

from rucher.commands.audit import group as audit_group
from rucher.commands.backup import backup_command, restore_command
from rucher.commands.badges import group as badges_group
from rucher.commands.demo import command as demo_command
from rucher.commands.digests import command as digests_command
from rucher.commands.embed import command as embed_command
from rucher.commands.evaluate import register as evaluate_group
from rucher.commands.export import command as export_command
from rucher.commands.imports import register as import_group
from rucher.commands.insights import group as insights_group
from rucher.commands.manage import command as manage_command
from rucher.commands.people import group as people_group
from rucher.commands.provisioning import directory_group, scim_group
from rucher.commands.prune import command as prune_command
from rucher.commands.reindex import command as reindex_command
from rucher.commands.sentiment import group as sentiment_group
from rucher.commands.serve import command as serve_command
from rucher.commands.worker import command as worker_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """rucher: a self-hosted enterprise social network with a community manager's cockpit."""


for _command in (
    demo_command,
    serve_command,
    worker_command,
    digests_command,
    embed_command,
    export_command,
    backup_command,
    restore_command,
    manage_command,
    reindex_command,
    prune_command,
    audit_group,
    badges_group,
    people_group,
    scim_group,
    directory_group,
    insights_group,
    sentiment_group,
    import_group(),
    evaluate_group(),
):
    main.add_command(_command)


if __name__ == "__main__":  # `python -m rucher.cli`: how `rucher serve` starts its worker
    main()

"""``rucher import …``: bring outside datasets in, all-or-nothing."""

from __future__ import annotations

import click


@click.group(name="import")
def import_group() -> None:
    """Import a dataset into rucher's database, or with --no-db into contract tables."""


def register() -> click.Group:
    from rucher.commands.imports import email_edges, messages, slack_xml, stackexchange, tables

    for module in (stackexchange, email_edges, messages, slack_xml, tables):
        import_group.add_command(module.command)
    return import_group

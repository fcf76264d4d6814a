"""The ``rucher`` console script."""

from __future__ import annotations

import click

from rucher.commands.evaluate import register as evaluate_group
from rucher.commands.imports import register as import_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """rucher: a self-hosted enterprise social network with a community manager's cockpit."""


def _register() -> None:
    from rucher.commands import demo, export, insights, manage, sentiment, serve

    for module in (demo, serve, export, manage):
        main.add_command(module.command)
    main.add_command(insights.group)
    main.add_command(sentiment.group)
    main.add_command(import_group())
    main.add_command(evaluate_group())


_register()

"""``rucher manage …``: Django's management commands (createsuperuser, shell, …)."""

from __future__ import annotations

import click

from rucher.commands import setup_django


@click.command(
    name="manage", context_settings={"ignore_unknown_options": True, "allow_extra_args": True}
)
@click.pass_context
def command(ctx: click.Context) -> None:
    """Run a Django management command, e.g. `rucher manage createsuperuser`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rucher manage", *ctx.args])

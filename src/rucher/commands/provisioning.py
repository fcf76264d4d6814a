"""``rucher scim token NAME`` (a directory connection's bearer token) and
``rucher directory import FILE [--dry-run]`` (the directory as a CSV file). docs/provisioning.md."""

from __future__ import annotations

from pathlib import Path

import click

from rucher.commands import CliError, setup_django


def _administrator(username: str | None) -> object:
    from rucher.people.models import Person

    admins = Person.objects.filter(kind=Person.Kind.ADMIN, is_active=True).order_by("pk")
    if username:
        admins = admins.filter(username=username)
    found = admins.first()
    if found is None:
        raise CliError(
            f"no active administrator named {username}"
            if username
            else "no active administrator: create one first (rucher manage createsuperuser)"
        )
    return found


@click.group(name="scim")
def scim_group() -> None:
    """SCIM 2.0 provisioning: the directory connections (/scim/v2/)."""


@scim_group.command(name="token")
@click.argument("name")
@click.option(
    "--groups",
    type=click.Choice(["departments", "spaces"]),
    default="departments",
    show_default=True,
    help="what a directory group becomes",
)
@click.option("--as", "acting_as", help="the administrator the connection acts for")
def token_command(name: str, groups: str, acting_as: str | None) -> None:
    """Make the connection NAME (or give it a new token, ending the old one); the token is
    printed on the last line, once: it is stored only as a hash."""
    setup_django()
    from rucher.errors import ActionError
    from rucher.provisioning.actions import create_connection

    admin = _administrator(acting_as)
    try:
        connection, raw = create_connection(admin, name, groups)  # type: ignore[arg-type]
    except ActionError as error:
        raise CliError(error.message) from error
    click.echo(
        f"rucher scim: connection {connection.name} (groups become {connection.group_target}, "
        f"acts for {connection.acting_as.username}); base URL <your address>/scim/v2/; token:"
    )
    click.echo(raw)


@click.group(name="directory")
def directory_group() -> None:
    """The organisation's people directory."""


@directory_group.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="show what would change, write nothing")
@click.option("--as", "acting_as", help="the administrator the import acts for")
def import_command(file: Path, dry_run: bool, acting_as: str | None) -> None:
    """Bring accounts in line with FILE (CSV: username, first_name, last_name, email,
    job_title, department, active). Shows the diff, then applies it all or nothing."""
    setup_django()
    from rich.console import Console
    from rich.table import Table

    from rucher.errors import ActionError
    from rucher.provisioning.directory_csv import CsvProblem, apply_plan, plan_import

    if not file.is_file():
        raise CliError(f"{file}: no such file")
    admin = _administrator(acting_as)
    try:
        plan = plan_import(file.read_bytes())
    except CsvProblem as problem:
        raise CliError(f"{file}: {problem}") from problem
    console = Console()
    table = Table(title=f"{file.name}: {plan.summary()}")
    for column in ("change", "username", "what"):
        table.add_column(column)
    for change in plan.changes:
        table.add_row(change.kind, change.username, change.description)
    console.print(table)
    if dry_run:
        click.echo("rucher directory import: dry run, nothing written")
        return
    try:
        apply_plan(plan, admin)  # type: ignore[arg-type]
    except ActionError as error:
        raise CliError(f"{file}: {error.message}; nothing written") from error
    click.echo(f"rucher directory import: applied ({plan.summary()})")

"""``rucher people erase USERNAME --yes``: a member's erasure from the command line
(docs/privacy.md). Refusals (an unknown username, the last administrator) exit with code 2."""

from __future__ import annotations

import click

from rucher.commands import CliError, setup_django
from rucher.commands.audit import operator_label


@click.group(name="people")
def group() -> None:
    """Members' accounts."""


@group.command(name="erase")
@click.argument("username")
@click.option("--yes", is_flag=True, help="confirm: the erasure cannot be undone")
def erase(username: str, yes: bool) -> None:
    """Erase USERNAME's account: profile removed, content kept as "former member" (or erased,
    RUCHER_ERASURE_CONTENT=erase), mentions, reactions, sessions and tokens removed."""
    if not yes:
        raise CliError("an erasure cannot be undone: add --yes to confirm")
    setup_django()
    from rucher.errors import ActionError
    from rucher.people.models import Person
    from rucher.privacy.actions import erase_person

    person = Person.objects.filter(username=username).first()
    if person is None or person.is_erased:
        raise CliError(f"no account named {username!r}")
    try:
        erase_person(None, person, confirm=username, operator=operator_label())
    except ActionError as error:
        raise CliError(str(error)) from error
    click.echo(f"{username}: erased")

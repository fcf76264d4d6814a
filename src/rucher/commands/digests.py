"""``rucher digests``: send the e-mail digests due now (for cron, or by hand).

The worker does the same every RUCHER_DIGEST_TICK_SECONDS (``rucher worker --digest-tick``);
running both is harmless: each person gets each digest once per period.
"""

from __future__ import annotations

import click

from rucher.commands import CliError, setup_django


@click.command(name="digests")
@click.option(
    "--now",
    "force",
    is_flag=True,
    help="send as if every digest were due now (still once per period and person)",
)
@click.option(
    "--person",
    "usernames",
    multiple=True,
    metavar="USERNAME",
    help="only this person (repeatable)",
)
@click.option(
    "--channel",
    type=click.Choice(["daily", "weekly", "both"]),
    default="both",
    show_default=True,
)
@click.option("--quiet", "-q", is_flag=True, help="no progress bar")
def command(force: bool, usernames: tuple[str, ...], channel: str, quiet: bool) -> None:
    """Send the daily and weekly digests that are due (once per person and period)."""
    setup_django()
    from rich.progress import Progress

    from rucher.notifications.digests import send_due_digests
    from rucher.people.models import Person

    if usernames:
        known = set(
            Person.objects.filter(username__in=usernames).values_list("username", flat=True)
        )
        if unknown := sorted(set(usernames) - known):
            raise CliError(f"--person: no account named {', '.join(unknown)}")
    channels = ("daily", "weekly") if channel == "both" else (channel,)
    try:
        if quiet:
            run = send_due_digests(usernames=usernames or None, force=force, channels=channels)
        else:
            with Progress(transient=True) as bar:
                job = bar.add_task("digests", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(job, completed=done, total=total)

                run = send_due_digests(
                    usernames=usernames or None, force=force, channels=channels, progress=progress
                )
    except OSError as error:  # SMTP refused or unreachable: what was not sent waits
        raise CliError(
            f"e-mail server (EMAIL_URL): {error}; unsent digests wait for the next run"
        ) from error
    click.echo(
        f"rucher digests: {run.sent} sent, {run.empty} with nothing to say, "
        f"{run.due - run.claimed} already sent by another run"
    )

"""``rucher reindex``: rebuild the search index from the live tables (docs/search.md).

Batched, one transaction per batch, resumable: run it again after an interruption and it
goes on from its checkpoint (``--restart`` starts over)."""

from __future__ import annotations

import click

from rucher.commands import setup_django

SOURCES = ("content", "people", "spaces")


@click.command("reindex")
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice(SOURCES),
    help="rebuild only these sources (repeatable); all by default",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=500,
    show_default=True,
    help="objects per transaction",
)
@click.option("--restart", is_flag=True, help="forget an interrupted run's checkpoint")
@click.option("--quiet", is_flag=True, help="no progress bar")
def command(only: tuple[str, ...], batch_size: int, restart: bool, quiet: bool) -> None:
    """Rebuild the search index (resumes an interrupted run)."""
    setup_django()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from rucher.search import rebuild

    names = tuple(name for name in SOURCES if not only or name in only)
    if restart:
        rebuild.restart()
    todo = rebuild.totals(names)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, disable=quiet) as progress:
        bars = {name: progress.add_task(name, total=todo[name]) for name in names}
        for name, done in rebuild.rebuild(names, batch_size):
            progress.advance(bars[name], done)
    click.echo(f"search index rebuilt: {', '.join(f'{n} {todo[n]}' for n in names)}")

"""``rucher embed``: compute the sentence vector of every content item (docs/meaning.md).

Resumable: an item whose stored vector was made from its current text by the current
encoder is skipped, so an interrupted run picks up where it stopped. The worker keeps the
vectors true after that (each write hands its event to ``rucher.meaning.subscriber``)."""

from __future__ import annotations

import click

from rucher.commands import setup_django


@click.command(name="embed")
@click.option(
    "--batch",
    default=256,
    show_default=True,
    type=click.IntRange(min=1, max=10_000),
    help="Items read and embedded per step.",
)
@click.option("--force", is_flag=True, help="Recompute every vector, even an up-to-date one.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def command(batch: int, force: bool, quiet: bool) -> None:
    """Give every content item its vector (posts, comments, questions, answers, polls)."""
    setup_django()
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn

    from rucher.conversations.models import Content
    from rucher.meaning.vectors import embed_all

    total = Content.objects.count()
    columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, disable=quiet) as progress:
        task = progress.add_task("embedding content", total=total)
        seen, embedded, dropped = embed_all(
            batch=batch, force=force, progress=lambda n: progress.advance(task, n)
        )
    Console(stderr=True).print(
        f"{seen} items: {embedded} embedded, {dropped} dropped, "
        f"{seen - embedded - dropped} up to date or not published"
    )

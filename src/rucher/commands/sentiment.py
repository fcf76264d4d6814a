"""``rucher sentiment …``: manage the sentiment models (``learn FILE``)."""

from __future__ import annotations

import click

from rucher.commands import CliError, setup_django


@click.group(name="sentiment")
def group() -> None:
    """Sentiment models: learn one per language from labelled texts."""


@group.command(name="learn")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--lang", type=click.Choice(["fr", "en"]), help="Language (default: detected).")
@click.option(
    "--columns",
    type=click.Choice(["label,text", "text,label"]),
    default="label,text",
    show_default=True,
    help="Order of the two tab-separated columns.",
)
def learn(files: tuple[str, ...], lang: str | None, columns: str) -> None:
    """Learn the sentiment model of a language from "label<TAB>text" lines (1 = positive).

    The model is saved as <RUCHER_DATA_DIR>/models/sentiment-<lang>.joblib and used from
    then on for that language instead of the out-of-the-box method.
    """
    from rich.console import Console

    from rucher.commands.evaluate.sentiment import (
        embedding_progress,
        read_labelled,
        resolve_language,
    )
    from rucher.insights.sentiment import learn_model
    from rucher.insights.sentiment_model import save_model

    texts, labels = read_labelled(files, columns)
    language = resolve_language(texts, lang)
    with embedding_progress(len(texts), "learning") as advance:
        try:
            model = learn_model(texts, labels, language, advance)
        except ValueError as error:
            raise CliError(f"{', '.join(files)}: {error}") from error
    path = save_model(model)
    positives = sum(labels)
    Console().print(
        f"learned the {language} sentiment model from {len(texts)} texts "
        f"({positives} positive, {len(texts) - positives} negative): {path}"
    )


@group.command(name="backfill")
@click.option(
    "--batch",
    default=256,
    show_default=True,
    type=click.IntRange(min=1, max=10_000),
    help="Items read and scored per step.",
)
@click.option("--force", is_flag=True, help="Score every item again, even an up-to-date one.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def backfill(batch: int, force: bool, quiet: bool) -> None:
    """Store the sentiment of every content item not yet scored (resumable, idempotent).

    After that the worker keeps the scores true: each write is scored once, after commit."""
    setup_django()
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn

    from rucher.conversations.models import Content
    from rucher.sentiment.scoring import backfill as backfill_all

    total = Content.objects.count()
    columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, disable=quiet) as progress:
        task = progress.add_task("scoring sentiment", total=total)
        seen, scored, dropped = backfill_all(
            batch=batch, force=force, progress=lambda n: progress.advance(task, n)
        )
    Console(stderr=True).print(
        f"{seen} items: {scored} scored, {dropped} dropped, "
        f"{seen - scored - dropped} up to date or without text"
    )


@group.command(name="train-default")
def train_default() -> None:
    """Refit the default model shipped with rucher from its sentences (maintainers)."""
    from rich.console import Console

    from rucher.insights import sentiment_default

    texts, labels = sentiment_default.training_sentences()
    weights, intercept = sentiment_default.fit(sentiment_default.vectors(texts), labels)
    path = sentiment_default.save(weights, intercept)
    Console().print(f"default sentiment model fitted on {len(texts)} sentences: {path}")

"""``rucher sentiment …``: manage the sentiment models (``learn FILE``)."""

from __future__ import annotations

import click

from rucher.commands import CliError


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

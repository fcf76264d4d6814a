"""``rucher evaluate sentiment --tsv FILE``: rucher's sentiment against labelled sentences.

Reports accuracy and macro-F1 of rucher's sentiment (out of the box, or learned from
``--train``) next to the plain-VADER baseline on the same texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from rucher.commands import CliError, existing_path, write_json

COLUMN_ORDERS = ("label,text", "text,label")


def read_labelled(paths: Sequence[str | Path], columns: str) -> tuple[list[str], list[int]]:
    """Texts and 0/1 labels from tab-separated files, all-or-nothing.

    ``columns`` "label,text" splits at the first tab, "text,label" at the last (a sentence
    may hold a tab, a label never does). Blank lines are skipped; any other line without a
    tab, with an empty text, or with a label other than 0/1 is a CliError naming file:line.
    """
    if columns not in COLUMN_ORDERS:
        raise CliError(f"--columns must be one of {', '.join(COLUMN_ORDERS)}, not {columns!r}")
    texts: list[str] = []
    labels: list[int] = []
    for given in paths:
        path = existing_path(given)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as error:
            raise CliError(f"{path}: not UTF-8 text ({error.reason})") from error
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if "\t" not in line:
                raise CliError(f"{path}:{number}: no tab between label and text")
            if columns == "label,text":
                label, text = line.split("\t", 1)
            else:
                text, label = line.rsplit("\t", 1)
            label = label.strip()
            if label not in ("0", "1"):
                raise CliError(f"{path}:{number}: label must be 0 or 1, not {label[:20]!r}")
            if not text.strip():
                raise CliError(f"{path}:{number}: empty text")
            texts.append(text.strip())
            labels.append(int(label))
    if not texts:
        raise CliError(f"no labelled line in {', '.join(str(p) for p in paths)}")
    return texts, labels


def resolve_language(texts: Sequence[str], lang: str | None) -> str:
    from rucher.insights.text import majority_language

    if lang:
        return lang
    found = majority_language(texts)
    if found == "unknown":
        raise CliError("cannot tell the language of these texts: pass --lang fr or --lang en")
    return found


@contextmanager
def embedding_progress(total: int, what: str) -> Iterator[Callable[[int], None]]:
    """A rich progress bar advanced by the number of sentences embedded."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        f"[progress.description]{what}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=total)
        yield lambda advance: bar.advance(task, advance)


@click.command(name="sentiment")
@click.option(
    "--tsv",
    "tsv_files",
    required=True,
    multiple=True,
    metavar="FILE",
    help="Labelled texts to evaluate on (repeatable).",
)
@click.option(
    "--columns",
    type=click.Choice(COLUMN_ORDERS),
    default="label,text",
    show_default=True,
    help="Order of the two tab-separated columns.",
)
@click.option("--lang", type=click.Choice(["fr", "en"]), help="Language (default: detected).")
@click.option(
    "--train",
    "train_files",
    multiple=True,
    metavar="FILE",
    help="Learn from these labelled texts first (same --columns; repeatable).",
)
@click.option("--json", "json_file", metavar="FILE", help="Also write the figures as JSON.")
def command(
    tsv_files: tuple[str, ...],
    columns: str,
    lang: str | None,
    train_files: tuple[str, ...],
    json_file: str | None,
) -> None:
    """Accuracy and macro-F1 of rucher's sentiment vs plain VADER on labelled texts."""
    import numpy as np

    from rucher.insights.sentiment import (
        METHOD_DESCRIPTIONS,
        binary_metrics,
        is_positive,
        learn_model,
        sentiment_scores,
    )

    texts, labels = read_labelled(tsv_files, columns)
    train = read_labelled(train_files, columns) if train_files else None
    language = resolve_language(texts, lang)
    truth = np.asarray(labels)

    model = None
    if train is not None:
        with embedding_progress(len(train[0]), "learning") as advance:
            try:
                model = learn_model(train[0], train[1], language, advance)
            except ValueError as error:
                raise CliError(f"--train: {error}") from error
    method = "learned" if model is not None else "out_of_the_box"
    with embedding_progress(len(texts), "scoring") as advance:
        scores = sentiment_scores(texts, language, method, model=model, progress=advance)
    baseline_scores = sentiment_scores(texts, language, "lexicon_plain")

    payload: dict[str, Any] = {
        **binary_metrics(truth, is_positive(scores, method)),
        "method": method,
        "method_description": METHOD_DESCRIPTIONS[method],
        "lang": language,
        "trained_on": len(train[0]) if train else 0,
        "baseline": {
            **binary_metrics(truth, is_positive(baseline_scores, "lexicon_plain")),
            "method": "lexicon_plain",
            "method_description": METHOD_DESCRIPTIONS["lexicon_plain"],
        },
        "files": list(tsv_files),
    }
    _print_table(payload)
    if json_file:
        write_json(json_file, payload)


def _print_table(payload: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Sentiment ({payload['lang']}, n = {payload['n']})")
    for column in ("method", "accuracy", "macro-F1"):
        table.add_column(column, justify="right" if column != "method" else "left")
    baseline = payload["baseline"]
    label = payload["method"].replace("_", " ")
    if payload["trained_on"]:
        label += f" (trained on {payload['trained_on']})"
    table.add_row(label, f"{payload['accuracy']:.3f}", f"{payload['macro_f1']:.3f}")
    table.add_row(
        "baseline: plain VADER", f"{baseline['accuracy']:.3f}", f"{baseline['macro_f1']:.3f}"
    )
    Console().print(table)

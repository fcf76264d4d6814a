"""What every importer does once its file is parsed into contract tables."""

from __future__ import annotations

from pathlib import Path

import click

from rucher.commands import CliError, setup_django
from rucher.insights.contract import Dataset


def finish_import(dataset: Dataset, *, no_db: bool, out: str | None, source: str) -> None:
    """With ``--no-db``, write the four tables to OUT (Parquet); otherwise load them into the
    database through the core's actions, in one transaction."""
    summary = ", ".join(f"{t}: {f.height}" for t, f in dataset.frames().items())
    if no_db:
        if not out:
            raise CliError("--no-db needs --out DIR (where to write the contract tables)")
        written = dataset.write(Path(out), "parquet")
        click.echo(f"{source}: {summary} -> {', '.join(str(p) for p in written)}")
        return
    setup_django()
    from rucher.bulk.loader import load_dataset

    try:
        report = load_dataset(dataset, source=source)
    except ValueError as error:  # e.g. the same dataset imported twice: nothing was written
        raise CliError(str(error)) from error
    click.echo(f"{source}: imported {report}")

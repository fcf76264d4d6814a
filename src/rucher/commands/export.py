"""``rucher export``: the four contract tables (people, spaces, content, events) as Parquet
or CSV, for BI tools and the insights engine.

The content and events of confidential spaces are never exported, whatever the options:
that is what the confidential flag promises. Deleted content is left out too.
"""

from __future__ import annotations

from pathlib import Path

import click

from rucher.commands import CliError, setup_django


@click.command(name="export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "csv"]),
    default="parquet",
    show_default=True,
    help="file format of the four tables",
)
@click.option(
    "--include-confidential",
    is_flag=True,
    help="list confidential spaces in spaces.* (their content and events are still never exported)",
)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def command(fmt: str, include_confidential: bool, directory: Path) -> None:
    """Write people, spaces, content and events to DIRECTORY as contract tables."""
    setup_django()
    from rucher.bulk.export import build_export

    try:
        dataset, left_out = build_export(
            list_confidential_spaces=include_confidential, count_left_out=True
        )
        written = dataset.write(directory, "csv" if fmt == "csv" else "parquet")
    except OSError as error:
        raise CliError(f"cannot write to {directory}: {error.strerror or error}") from error
    sizes = ", ".join(f"{table} {frame.height}" for table, frame in dataset.frames().items())
    from rucher.audit.trail import append
    from rucher.commands.audit import operator_label

    append(
        "exported",
        actor_label=operator_label(),
        detail={
            "format": fmt,
            "tables": {t: f.height for t, f in dataset.frames().items()},
            "include_confidential": include_confidential,
        },
    )
    click.echo(f"rucher export: {sizes} -> {', '.join(str(p) for p in written)}")
    click.echo(f"rucher export: {left_out}")
    if include_confidential:
        click.echo(
            "rucher export: --include-confidential lists confidential spaces by name "
            "only; their content and events are never exported."
        )

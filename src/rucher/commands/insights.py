"""``rucher insights``: the insights engine on the command line.

``rucher insights report [--space S] [--from D] [--to D] --json FILE [--data DIR]`` runs the
full pass (every metric of ``rucher.insights.report``) on the contract tables in DIR (what
``rucher import … --no-db --out DIR`` and ``rucher export`` write) or, without ``--data``,
on the live database exported in memory (confidential spaces left out, as by ``export``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rucher.commands import CliError, existing_path, setup_django, write_json

if TYPE_CHECKING:
    from rucher.insights.contract import Dataset
    from rucher.insights.periods import Period


@click.group(name="insights")
def group() -> None:
    """Community insights: engagement, inequality, influence, NPS, silos, health."""


def parse_moment(text: str, option: str, *, end_of_day: bool = False) -> datetime:
    """An ISO date or date-time, as UTC. A bare date given to ``--to`` means the end of that
    day (the period includes it)."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1) if end_of_day else moment
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(f"{option}: not a date (YYYY-MM-DD or ISO date-time): {text!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _load(data: str | None) -> Dataset:
    from rucher.insights.contract import ContractError, Dataset

    if data is None:
        setup_django()
        from rucher.bulk.export import build_export

        dataset, _ = build_export()
        return dataset
    directory = existing_path(data, "data directory")
    if not directory.is_dir():
        raise CliError(f"--data: not a directory: {directory}")
    try:
        return Dataset.read(directory)
    except ContractError as error:
        raise CliError(f"--data: {error}") from error
    except Exception as error:  # a corrupt Parquet or CSV file: say which directory
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise CliError(f"--data: cannot read {directory}: {first}") from error


def _period(dataset: Dataset, start: datetime | None, end: datetime | None) -> Period | None:
    from rucher.insights.periods import Period, span_of

    if start is None and end is None:
        return None
    span = span_of(dataset)
    if span is None:
        raise CliError("--from/--to: the data has no event or content to take a period from")
    chosen_start = start or span.start
    chosen_end = end or span.end
    if chosen_end <= chosen_start:
        raise CliError(
            f"--from/--to: the period must end after it starts "
            f"({chosen_start.isoformat()} >= {chosen_end.isoformat()})"
        )
    return Period(chosen_start, chosen_end)


def _print_summary(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from rucher.insights.report import summary_rows

    scope = report["scope"]
    period = scope["period"] or {}
    title = (
        f"Insights — space {scope['space_id'] if scope['space_id'] is not None else 'all'}, "
        f"{period.get('start', '?')[:10]} → {period.get('end', '?')[:10]}"
    )
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for label, value in summary_rows(report):
        table.add_row(label, value)
    Console().print(table)


@group.command(name="report")
@click.option("--space", "space_id", type=int, default=None, help="a space id (with sub-spaces)")
@click.option("--from", "start", default=None, help="period start, YYYY-MM-DD (UTC)")
@click.option("--to", "end", default=None, help="period end, YYYY-MM-DD, included (UTC)")
@click.option("--json", "json_path", required=True, type=click.Path(dir_okay=False))
@click.option("--data", default=None, help="a directory of contract tables (else the database)")
@click.option("--min-group-size", type=int, default=5, show_default=True)
def report(
    space_id: int | None,
    start: str | None,
    end: str | None,
    json_path: str,
    data: str | None,
    min_group_size: int,
) -> None:
    """Run every insight over a space and a period and write them as JSON."""
    from rich.progress import Progress

    from rucher.insights.report import SECTIONS, full_report
    from rucher.insights.report_scope import UnknownSpace
    from rucher.insights.results import MIN_GROUP_SIZE

    if min_group_size < MIN_GROUP_SIZE:
        raise CliError(f"--min-group-size: below the privacy floor of {MIN_GROUP_SIZE}")
    # Dates are checked before loading anything: a typo should not cost a database export.
    start_at = parse_moment(start, "--from") if start else None
    end_at = parse_moment(end, "--to", end_of_day=True) if end else None
    if start_at and end_at and end_at <= start_at:
        raise CliError(f"--from/--to: the period must end after it starts ({start} > {end})")
    dataset = _load(data)
    period = _period(dataset, start_at, end_at)
    with Progress(transient=True) as progress:
        task = progress.add_task("insights", total=len(SECTIONS))

        def advance(section: str) -> None:
            progress.update(task, description=section, completed=SECTIONS.index(section))

        try:
            result = full_report(
                dataset,
                space_id=space_id,
                period=period,
                min_group_size=min_group_size,
                progress=advance,
            )
        except UnknownSpace as error:
            raise CliError(f"--space: {error}") from error
        progress.update(task, completed=len(SECTIONS))
    try:
        write_json(Path(json_path), result)
    except OSError as error:
        raise CliError(f"--json: cannot write {json_path}: {error.strerror or error}") from error
    _print_summary(result)
    if result["errors"]:
        click.echo(f"sections that failed (see the JSON): {', '.join(result['errors'])}", err=True)
    click.echo(f"written: {json_path}")

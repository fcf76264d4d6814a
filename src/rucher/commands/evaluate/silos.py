"""``rucher evaluate silos --edges FILE --departments FILE``: silos against real departments."""

from __future__ import annotations

from typing import Any

import click

from rucher.commands import CliError, existing_path, write_json


@click.command(name="silos")
@click.option("--edges", "edges_file", required=True, metavar="FILE", help='"src dst [time]".')
@click.option(
    "--departments", "departments_file", required=True, metavar="FILE", help='"person dept".'
)
@click.option("--seed", default=0, show_default=True, help="Seed of the community detection.")
@click.option("--json", "json_file", metavar="FILE", help="Also write every figure as JSON.")
def command(edges_file: str, departments_file: str, seed: int, json_file: str | None) -> None:
    """E-I index observed vs expected, per department, modularity, assortativity, NMI."""
    from rucher.commands.imports.email_edges import file_progress
    from rucher.insights.contract import ContractError
    from rucher.insights.importers.edges import read_email_edges
    from rucher.insights.silos import silo_report

    edges = existing_path(edges_file)
    departments = existing_path(departments_file)
    try:
        with file_progress(edges, "edges") as advance:
            dataset = read_email_edges(edges, departments, advance)
    except ContractError as error:
        raise CliError(str(error)) from error
    report = silo_report(dataset.people, dataset.events, seed=seed)
    payload = report.to_dict()
    _print_tables(payload)
    if json_file:
        write_json(json_file, payload)


def _print_tables(payload: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    def figure(value: Any) -> str:
        return "n/a" if value is None else f"{value:+.3f}"

    console = Console()
    summary = Table(title="Silos between departments")
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    summary.add_row("E-I index observed", figure(payload["ei_observed"]))
    summary.add_row("E-I index expected (random mixing)", figure(payload["ei_expected"]))
    summary.add_row("modularity of departments", figure(payload["modularity"]))
    summary.add_row("assortativity by department", figure(payload["assortativity"]))
    summary.add_row("NMI Louvain communities vs departments", figure(payload["nmi"]))
    for key, count in payload["coverage"].items():
        summary.add_row(key.replace("_", " "), str(count))
    console.print(summary)
    rows = payload["per_department"]
    if not rows:
        return
    table = Table(title="Per department (most siloed first)")
    for column in ("department", "size", "internal", "external", "E-I", "expected"):
        table.add_column(column, justify="right")
    ordered = sorted(rows, key=lambda r: (r["ei_observed"] is None, r["ei_observed"] or 0))
    for row in ordered:
        table.add_row(
            str(row["department"]),
            str(row["size"]),
            str(row["internal_ties"]),
            str(row["external_ties"]),
            figure(row["ei_observed"]),
            figure(row["ei_expected"]),
        )
    console.print(table)

"""``rucher evaluate search --stackexchange DIR``: linked questions found by words, meaning,
and the product's fusion of both (docs/insights.md, "Search quality")."""

from __future__ import annotations

from typing import Any

import click

from rucher.commands import CliError, existing_path, write_json


@click.command(name="search")
@click.option(
    "--stackexchange",
    "dump_dir",
    required=True,
    metavar="DIR",
    help="A Stack Exchange dump directory (Posts.xml, Users.xml and PostLinks.xml).",
)
@click.option("--k", "k", default=10, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "json_file", metavar="FILE", help="Also write the figures as JSON.")
def command(dump_dir: str, k: int, json_file: str | None) -> None:
    """For every question linked to (or a duplicate of) an earlier one, search the earlier
    questions with its title and body; report hit@k and MRR of words, meaning and product."""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from rucher.insights.contract import ContractError
    from rucher.insights.importers.stackexchange import load_stackexchange
    from rucher.insights.search_quality import (
        evaluate_search,
        linked_pairs,
        questions_of,
        read_post_links,
    )
    from rucher.insights.sentiment_model import embed

    path = existing_path(dump_dir, "directory")
    if not path.is_dir():
        raise CliError(f"not a directory: {path}")
    try:
        links = read_post_links(path / "PostLinks.xml")
        dataset = load_stackexchange(path)
    except ContractError as error:
        raise CliError(str(error)) from error
    questions = questions_of(dataset.content)
    pairs = linked_pairs(links, questions)
    if not pairs:
        raise CliError(f"{path}: no question is linked to an earlier one (PostLinks.xml)")
    with Progress(transient=True) as progress:
        embedding = progress.add_task("embedding questions", total=questions.height)
        vectors_of = lambda texts: embed(  # noqa: E731
            texts, progress=lambda n: progress.advance(embedding, n)
        )
        task = progress.add_task("searching", total=len(pairs))
        report: dict[str, Any] = evaluate_search(
            questions, pairs, vectors_of, k=k, on_query=lambda: progress.advance(task)
        )
    report["dataset"] = str(path)
    console = Console()
    table = Table(title=f"linked questions found: n = {report['n_queries']}")
    for column in ("ranking", f"hit@{k}", "MRR"):
        table.add_column(column, justify="left" if column == "ranking" else "right")
    for name in ("words", "meaning", "product"):
        table.add_row(name, f"{report[name]['hit_at_k']:.3f}", f"{report[name]['mrr']:.3f}")
    console.print(table)
    ratio = report["product_vs_words_mrr"]
    if ratio is not None:
        console.print(f"product MRR / words MRR = {ratio:.2f} (RRF k = {report['rrf_k']})")
    if json_file:
        write_json(json_file, report)

"""``rucher evaluate experts --stackexchange DIR``: replay questions, score the expert finder."""

from __future__ import annotations

from typing import Any

import click

from rucher.commands import CliError, existing_path, write_json


@click.command(name="experts")
@click.option(
    "--stackexchange",
    "dump_dir",
    required=True,
    metavar="DIR",
    help="A Stack Exchange dump directory (Posts.xml, Users.xml, Votes.xml …).",
)
@click.option("--k", "k", default=10, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "json_file", metavar="FILE", help="Also write the figures as JSON.")
@click.option(
    "--meaning/--no-meaning",
    default=False,
    show_default=True,
    help="Add the sentence-vector closeness feature (slow: every contribution is embedded).",
)
@click.option(
    "--test-from",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0.0, 1.0),
    help="Score only questions from this fraction of the timeline on (earlier ones still train).",
)
def command(dump_dir: str, k: int, json_file: str | None, meaning: bool, test_from: float) -> None:
    """For every question with an accepted answer, rank candidates with a model trained only
    on the questions asked and accepted before it (the product's ranker); report P@1, MRR
    and hit@k against baselines and the fixed-weight finder."""
    from rich.console import Console
    from rich.progress import Progress

    from rucher.insights.contract import ContractError
    from rucher.insights.expert_model import evaluate_learned
    from rucher.insights.experts import evaluation_questions
    from rucher.insights.importers.stackexchange import load_stackexchange

    path = existing_path(dump_dir, "directory")
    if not path.is_dir():
        raise CliError(f"not a directory: {path}")
    try:
        dataset = load_stackexchange(path)
    except ContractError as error:
        raise CliError(str(error)) from error
    with Progress(transient=True) as progress:
        from rucher.insights.sentiment_model import embed as use_vectors

        embed = use_vectors if meaning else None
        total = evaluation_questions(dataset).height
        task = progress.add_task("replaying questions", total=total)
        report = evaluate_learned(
            dataset,
            k=k,
            embed=embed,
            test_from=test_from,
            on_question=lambda: progress.advance(task),
        )
    report["dataset"] = str(path)
    _print(Console(), report)
    if json_file:
        write_json(json_file, report)


def _print(console: Any, report: dict[str, Any]) -> None:
    from rich.table import Table

    k = report["k"]
    for protocol, title in (
        ("answerers", "rank the question's answerers (questions with 2+ answerers)"),
        ("all_members", "rank every member active before the question"),
    ):
        section = report[protocol]
        table = Table(title=f"{title}: n = {section['n_questions']}")
        for column in ("method", "P@1", "MRR", f"hit@{k}"):
            table.add_column(column, justify="left" if column == "method" else "right")
        rows = {
            "rucher (learned)": section["method"],
            "fixed weights": section["hand_weighted"],
            **section["baselines"],
        }
        for name, figures in rows.items():
            table.add_row(
                name,
                *(
                    "n/a" if figures[key] is None else f"{figures[key]:.3f}"
                    for key in ("p_at_1", "mrr", "hit_at_k")
                ),
            )
        console.print(table)
    console.print(
        f"{report['n_questions']} questions with an accepted answer by someone else; "
        f"{report['questions_ranked_by_learned_model']} of those scored were ranked by a "
        f"learned model (the others by fixed weights: too few earlier answered questions)"
    )

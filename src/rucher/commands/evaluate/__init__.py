"""``rucher evaluate …``: measure the insights against real ground truth."""

from __future__ import annotations

import click


@click.group(name="evaluate")
def evaluate() -> None:
    """Measure rucher's insights against ground truth (a table, or --json FILE)."""


def register() -> click.Group:
    from rucher.commands.evaluate import experts, nps, search, sentiment, silos

    for module in (experts, sentiment, nps, silos, search):
        evaluate.add_command(module.command)
    return evaluate

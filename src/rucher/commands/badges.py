"""``rucher badges``: award the badges already earned over the whole event log
(docs/recognition.md). The worker awards badges after each action; this is for data that was
bulk-loaded (imports, the demo) and for a first run. Idempotent: a badge is earned once."""

from __future__ import annotations

import click

from rucher.commands import CliError, setup_django


@click.group(name="badges")
def group() -> None:
    """Badges earned from behaviour (rucher.recognition)."""


@group.command(name="award")
@click.option("--rule", "rules", multiple=True, help="Only this rule (its slug); repeatable.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def award(rules: tuple[str, ...], quiet: bool) -> None:
    """Award every enabled badge whose threshold members reached and do not hold yet."""
    setup_django()
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress

    from rucher.recognition.awarding import backfill
    from rucher.recognition.models import BadgeRule

    chosen = BadgeRule.objects.filter(enabled=True)
    if rules:
        known = set(BadgeRule.objects.filter(slug__in=rules).values_list("slug", flat=True))
        unknown = sorted(set(rules) - known)
        if unknown:
            raise CliError(f"unknown badge rule: {', '.join(unknown)}")
        chosen = chosen.filter(slug__in=rules)
    found = list(chosen)
    if not found:
        raise CliError("no enabled badge rule to award")
    awarded = 0
    with Progress(*Progress.get_default_columns()[:-1], MofNCompleteColumn(), disable=quiet) as bar:
        task = bar.add_task("counting rules", total=len(found))
        for rule in found:
            bar.update(task, description=f"rule {rule.slug}")
            awarded += backfill([rule])
            bar.advance(task)
    Console(stderr=True).print(f"{awarded} badges awarded over {len(found)} rules")

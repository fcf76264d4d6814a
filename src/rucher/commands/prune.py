"""``rucher prune``: forget what only serves a while (read notifications, finished webhook
deliveries, finished background tasks); the worker runs the same once a day. What is kept and
how long: the ``RUCHER_KEEP_*`` settings (docs/deploy.md, "Housekeeping")."""

from __future__ import annotations

import click

from rucher.commands import setup_django


def prune_everything() -> dict[str, int]:
    """Each domain forgets its own; what each removed, by name."""
    from django.utils import timezone

    from rucher.activity.pruning import prune_task_results
    from rucher.notifications import pruning as notifications
    from rucher.webhooks import pruning as webhooks

    now = timezone.now()
    removed: dict[str, int] = {}
    removed.update(notifications.prune(now))
    removed.update(webhooks.prune(now))
    removed.update(prune_task_results())
    return removed


@click.command("prune")
def command() -> None:
    """Forget read notifications, ended webhook deliveries and finished tasks past their time."""
    setup_django()
    for what, count in prune_everything().items():
        click.echo(f"rucher prune: {count} {what} removed")

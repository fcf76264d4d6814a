"""``rucher worker``: run the tasks handed on after commit (one worker process).

`rucher serve` and `rucher demo` start one beside the web server; in production run it as its
own service, one or more per host (docs/deploy.md). It does not migrate: `rucher serve` or
`rucher manage migrate` does.
"""

from __future__ import annotations

import click

from rucher.commands import CliError, setup_django


def _check_migrated() -> None:
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult._meta.db_table not in connection.introspection.table_names():
        raise CliError(
            "the task table is missing: migrate first (`rucher manage migrate` or `rucher serve`)"
        )


@click.command(name="worker")
@click.option(
    "--lease",
    type=click.IntRange(1, None),
    default=None,
    help="seconds after which a RUNNING task whose worker died is run again "
    "(default RUCHER_TASK_LEASE_SECONDS, 300)",
)
@click.option(
    "--interval",
    type=click.FloatRange(0.05, 60),
    default=1.0,
    show_default=True,
    help="seconds between polls when the queue is empty",
)
@click.option(
    "--digest-tick",
    type=click.IntRange(0, None),
    default=None,
    help="seconds between looks for e-mail digests due; 0: never (another worker or cron "
    "runs `rucher digests`) (default RUCHER_DIGEST_TICK_SECONDS, 300)",
)
@click.option("--batch", is_flag=True, help="run the tasks that are ready, then stop")
@click.option("--worker-id", default=None, help="recorded on each task (default host:pid)")
@click.option("--verbose", "-v", is_flag=True, help="log every task")
@click.option("--parent-pid", type=int, default=None, hidden=True)
def command(
    lease: int | None,
    interval: float,
    digest_tick: int | None,
    batch: bool,
    worker_id: str | None,
    verbose: bool,
    parent_pid: int | None,
) -> None:
    """Run background tasks (subscribers of the event log) until Ctrl-C or SIGTERM.

    A stop signal lets the current task finish; a second one stops at once (that task is
    queued again). Tasks left RUNNING by a killed worker are run again after the lease.
    """
    import logging
    from datetime import timedelta

    setup_django()
    _check_migrated()
    from django.conf import settings

    from rucher.activity.tasks import LeasedWorker, Periodic
    from rucher.commands.prune import prune_everything
    from rucher.expertise.requests import LOOK_SECONDS, enqueue_suggestions
    from rucher.expertise.training import enqueue_training
    from rucher.notifications.digests import enqueue_due_digests
    from rucher.privacy.tasks import enqueue_retention_if_due

    if worker_id is not None and not 0 < len(worker_id) <= 64:
        raise CliError("--worker-id: 1 to 64 characters")
    level = logging.INFO if verbose else logging.WARNING
    for name in ("django_tasks", "django_tasks_db", "rucher.activity", "rucher.notifications"):
        logging.getLogger(name).setLevel(level)
    seconds = lease or settings.RUCHER_TASK_LEASE_SECONDS
    tick = settings.RUCHER_DIGEST_TICK_SECONDS if digest_tick is None else digest_tick
    # Digests: the tick only enqueues a run (idempotent per person and period), so several
    # workers ticking is harmless; the run itself is an ordinary task.
    periodic = [Periodic("digests", tick, enqueue_due_digests)] if tick > 0 else []
    if settings.RUCHER_EXPERTS_TRAIN_SECONDS > 0:
        # The expert model: trained by a task, so it retries and is leased like any other.
        periodic.append(
            Periodic("experts", settings.RUCHER_EXPERTS_TRAIN_SECONDS, enqueue_training)
        )
    if settings.RUCHER_EXPERTS_UNANSWERED_HOURS > 0:
        # Questions left unanswered: suggested to a few people who may know (docs/search.md).
        periodic.append(Periodic("expert_requests", LOOK_SECONDS, enqueue_suggestions))
    # Retention (docs/privacy.md): an hourly look, a run when the last one is a day old.
    periodic.append(Periodic("retention", 3600, enqueue_retention_if_due))
    # Housekeeping (docs/deploy.md): hourly, so a worker restarted daily still prunes; with
    # nothing past its time it costs a few indexed look-ups.
    periodic.append(Periodic("housekeeping", 3600, prune_everything))
    worker = LeasedWorker(
        lease=timedelta(seconds=seconds),
        interval=interval,
        worker_id=worker_id,
        parent_pid=parent_pid,
        periodic=periodic,
    )
    click.echo(f"rucher worker {worker.worker_id}: running tasks (lease {seconds} s; Ctrl-C stops)")
    worker.configure_signals()
    try:
        worker.serve(once=batch)
    finally:
        worker.reset_signals()
        click.echo(f"rucher worker {worker.worker_id}: stopped")

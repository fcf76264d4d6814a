"""After commit: events handed to their subscribers as tasks, run by ``rucher worker``.

The task queue is Django's task API (the ``django-tasks`` backport of ``django.tasks``) with
its database backend (``django-tasks-db``): the queue is a table of the same database, so
SQLite needs no other server and PostgreSQL neither. What the library does not do, this module
adds, small on purpose (docs/architecture.md, "After commit: the worker"):

- **hand-off after commit** (``hand_on``): one task per (subscriber, event), enqueued from
  ``transaction.on_commit``; an enqueue that fails is logged, never raised into the request.
- **retries** (``deliver``): a failing handler's task enqueues its next attempt with
  ``run_after`` (exponential backoff, ``Subscriber.max_attempts`` in all), then fails itself,
  so each attempt keeps its own row and traceback. A worker stopped mid-task (a second Ctrl-C)
  counts as a failed attempt, retried the same way.
- **a lease** (``requeue_stale``): the backend marks a claimed task RUNNING and nothing ever
  takes it back if its worker dies (SIGKILL, OOM, power). The worker re-queues tasks RUNNING
  for longer than the lease, at start and then every quarter of the lease; a task whose workers
  died ``MAX_CLAIMS`` times is failed (a poison pill must not kill workers forever).
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from rucher.activity.subscribers import DEFAULT_MAX_ATTEMPTS, Subscriber, subscriber_named

if TYPE_CHECKING:
    from rucher.activity.models import Event

logger = logging.getLogger("rucher.activity.tasks")

RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 6 * 3600
MAX_CLAIMS = 5  # workers that may die running one task before it is failed
EVENT_FIELDS = ("actor_id", "verb", "object_type", "object_id", "space_id", "target_id", "value")


def event_payload(event: Event) -> dict[str, Any]:
    """The event as JSON for the task's arguments (the handler gets it without a query)."""
    payload = {"id": event.pk, "at": event.at.isoformat()}
    payload.update({field: getattr(event, field) for field in EVENT_FIELDS})
    return payload


def event_from_payload(payload: dict[str, Any]) -> Event:
    from rucher.activity.models import Event

    fields = dict(payload)
    fields["at"] = datetime.fromisoformat(fields["at"])
    event = Event(**fields)
    event._state.adding = False  # the row exists; this copy is not meant to be saved
    return event


def hand_on(event: Event, subscribers: Sequence[Subscriber]) -> None:
    """Enqueue one delivery per subscriber once the current transaction commits (at once
    outside a transaction; never if it rolls back).

    The deliveries of every event a transaction appends (a post and its mentions, say) are
    enqueued together, in one transaction after the commit: one commit instead of one per
    task, which is most of what the hand-off costs on PostgreSQL. Events appended under
    different savepoints are not batched together, so a rolled-back savepoint still drops
    exactly its own deliveries."""
    payload = event_payload(event)
    deliveries = [(subscriber.name, payload) for subscriber in subscribers]
    connection = transaction.get_connection()
    if connection.in_atomic_block and connection.run_on_commit:
        savepoints, callback, _robust = connection.run_on_commit[-1]
        batch = getattr(callback, "rucher_batch", None)
        if batch is not None and savepoints == set(connection.savepoint_ids):
            batch.extend(deliveries)
            return
    pending = list(deliveries)

    def enqueue() -> None:
        enqueue_deliveries(pending)

    enqueue.rucher_batch = pending  # type: ignore[attr-defined]
    transaction.on_commit(enqueue, robust=True)


def enqueue_deliveries(deliveries: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Enqueue the deliveries in one transaction; one that fails is logged and the others
    still go (each in its own savepoint). The write has committed: a failed hand-off must
    never turn it into an error page."""
    try:
        with transaction.atomic():
            for name, payload in deliveries:
                try:
                    with transaction.atomic():
                        deliver.enqueue(name, payload)
                except Exception:
                    logger.exception(
                        "event %s (%s) not handed to subscriber %s",
                        payload["id"],
                        payload["verb"],
                        name,
                    )
    except Exception:
        logger.exception(
            "%s deliveries not handed on (events %s)",
            len(deliveries),
            sorted({payload["id"] for _name, payload in deliveries})[:20],
        )


def backoff(attempt: int) -> timedelta:
    """The wait after failed attempt ``attempt`` (1-based): 30 s doubling up to 6 h, + 0–10 %."""
    seconds = min(RETRY_BASE_SECONDS * 2 ** (attempt - 1), RETRY_CAP_SECONDS)
    return timedelta(seconds=seconds * (1 + random.uniform(0, 0.1)))


def _enqueue_attempt(
    subscriber: str, event: dict[str, Any], attempt: int, delay: timedelta
) -> bool:
    if not deliver.get_backend().supports_defer:
        logger.warning(
            "task backend cannot defer: %s's attempt %d is not retried", subscriber, attempt
        )
        return False
    try:
        deliver.using(run_after=timezone.now() + delay).enqueue(subscriber, event, attempt)
    except Exception:
        logger.exception(
            "could not enqueue attempt %d of %s for event %s", attempt, subscriber, event["id"]
        )
        return False
    return True


@task()
def deliver(subscriber: str, event: dict[str, Any], attempt: int = 1) -> None:
    """Hand one event to one subscriber; on failure, schedule the next attempt and fail."""
    found = subscriber_named(subscriber)
    started = time.monotonic()
    try:
        if found is None:  # e.g. a worker still on the previous release: retried later
            raise LookupError(f"no subscriber named {subscriber!r} in this process")
        found.handler(event_from_payload(event))
    except BaseException:
        # BaseException too: a worker told to stop at once (a second Ctrl-C) raises SystemExit
        # inside the handler; that attempt is retried like a failure (bounded: a handler that
        # calls sys.exit() itself cannot loop).
        max_attempts = found.max_attempts if found else DEFAULT_MAX_ATTEMPTS
        if attempt >= max_attempts:
            logger.error(
                "giving up: %s failed on event %s %d time(s)", subscriber, event["id"], attempt
            )
        elif _enqueue_attempt(subscriber, event, attempt + 1, backoff(attempt)):
            logger.warning(
                "%s failed on event %s (attempt %d of %d): retried later",
                subscriber,
                event["id"],
                attempt,
                max_attempts,
            )
        raise
    elapsed = time.monotonic() - started
    if elapsed > settings.RUCHER_TASK_LEASE_SECONDS / 2:
        logger.warning(
            "%s took %.0f s on event %s: past half the lease (RUCHER_TASK_LEASE_SECONDS), "
            "another worker may run it again",
            subscriber,
            elapsed,
            event["id"],
        )


def requeue_stale(lease: timedelta, backend: str = "default") -> tuple[int, int]:
    """Put back in the queue the tasks RUNNING for longer than ``lease`` (their worker died);
    fail those already claimed ``MAX_CLAIMS`` times. Returns (re-queued, failed)."""
    cutoff = timezone.now() - lease
    stale = DBTaskResult.objects.filter(
        backend_name=backend, status="RUNNING", started_at__lt=cutoff
    )
    if not stale.exists():  # the usual case, answered by a plain read (no write lock)
        return 0, 0
    with exclusive_transaction(stale.db):
        rows = list(stale.select_for_update(skip_locked=True).only("id", "worker_ids", "task_path"))
        again = [row.id for row in rows if len(row.worker_ids) < MAX_CLAIMS]
        poison = [row for row in rows if len(row.worker_ids) >= MAX_CLAIMS]
        if again:
            DBTaskResult.objects.filter(id__in=again, status="RUNNING").update(status="READY")
        for row in poison:
            DBTaskResult.objects.filter(id=row.id, status="RUNNING").update(
                status="FAILED",
                finished_at=timezone.now(),
                exception_class_path="rucher.activity.tasks.LeaseExpired",
                traceback=f"{len(row.worker_ids)} workers died running it: {row.worker_ids}",
            )
    for row in rows:
        if row.id in again:
            logger.warning("task %s (%s): its worker died; queued again", row.id, row.task_path)
        else:
            logger.error(
                "task %s (%s): %d workers died running it; failed",
                row.id,
                row.task_path,
                len(row.worker_ids),
            )
    return len(again), len(poison)


@dataclass
class Periodic:
    """Something the worker does every ``seconds`` (django-tasks has no cron): typically
    enqueue a task, so the work itself runs, retries and is leased like any task. The first
    run is one interval after the worker starts (``--batch`` never ticks). An exception is
    logged; the next tick tries again."""

    name: str
    seconds: float
    run: Callable[[], Any]
    next_at: float = 0.0


class LeasedWorker(Worker):
    """django-tasks-db's worker, run in batches between idle polls so that stale tasks are
    re-queued (``requeue_stale``) at start, between tasks and while idle, and ``periodic``
    ticks run when due (the transports above wire them: digests)."""

    def __init__(
        self,
        *,
        lease: timedelta,
        interval: float = 1.0,
        worker_id: str | None = None,
        parent_pid: int | None = None,
        queue_names: Sequence[str] = ("default",),
        backend_name: str = "default",
        periodic: Sequence[Periodic] = (),
    ) -> None:
        super().__init__(
            queue_names=list(queue_names),
            interval=interval,
            batch=True,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or default_worker_id(),
            excluded_queue_names=[],
        )
        self.lease = lease
        self.parent_pid = parent_pid
        self._next_recovery = 0.0
        self.periodic = list(periodic)
        for job in self.periodic:
            job.next_at = time.monotonic() + job.seconds

    def tick_if_due(self) -> None:
        now = time.monotonic()
        for job in self.periodic:
            if now < job.next_at:
                continue
            job.next_at = now + job.seconds
            try:
                job.run()
            except Exception:
                logger.exception("periodic %s failed; tried again in %.0f s", job.name, job.seconds)

    def recover_if_due(self) -> None:
        now = time.monotonic()
        if now >= self._next_recovery:
            requeue_stale(self.lease, self.backend_name)
            self._next_recovery = now + max(self.lease.total_seconds() / 4, 0.5)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        self.recover_if_due()
        self.tick_if_due()

    def _has_ready_tasks(self) -> bool:
        # A plain read: the claim's write lock (EXCLUSIVE on SQLite) is taken only when needed.
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            ready = ready.filter(queue_name__in=self.queue_names)
        return ready.exists()

    def _orphaned(self) -> bool:
        return self.parent_pid is not None and os.getppid() != self.parent_pid

    def serve(self, once: bool = False) -> None:
        """Run tasks until stopped (SIGINT/SIGTERM once the current task is done, or the parent
        process gone); ``once``: recover, run what is ready, return."""
        while self.running:
            close_old_connections()
            self.recover_if_due()
            self.tick_if_due()
            if self._has_ready_tasks():
                self.run()  # batch mode: claims and runs tasks until none is ready
            if once or self._orphaned():
                return
            if self.running:
                time.sleep(self.interval)


def default_worker_id() -> str:
    import socket

    return f"{socket.gethostname()[:40]}:{os.getpid()}"

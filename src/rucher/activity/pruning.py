"""Housekeeping shared by the domains (``rucher prune``, and the worker once a day): deleting
in batches, and forgetting the background tasks' finished results.

Finished task results are pruned by django-tasks-db's own ``prune_db_task_results`` (the
library that stores them knows which are finished): successes after
``RUCHER_KEEP_TASK_RESULTS_DAYS``, failures (kept longer, to be looked into) after
``RUCHER_KEEP_FAILED_TASK_RESULTS_DAYS``. Tasks waiting or running are never touched.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import QuerySet
from django_tasks_db.models import DBTaskResult

BATCH = 2000


def in_batches(rows: QuerySet, batch: int = BATCH) -> Iterator[int]:
    """Delete ``rows`` a batch of ids at a time, each batch its own short transaction (SQLite
    has one writer: a large backlog never holds it long); yield how many rows of the queryset
    each batch removed (what cascaded with them is not counted)."""
    model = rows.model
    while True:
        ids = list(rows.values_list("pk", flat=True)[:batch])
        if not ids:
            return
        with transaction.atomic():
            model.objects.filter(pk__in=ids).delete()
        yield len(ids)


def prune_task_results() -> dict[str, int]:
    before = DBTaskResult.objects.count()
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=settings.RUCHER_KEEP_TASK_RESULTS_DAYS,
        failed_min_age_days=settings.RUCHER_KEEP_FAILED_TASK_RESULTS_DAYS,
        verbosity=0,
        stdout=io.StringIO(),
    )
    return {"finished task results": before - DBTaskResult.objects.count()}

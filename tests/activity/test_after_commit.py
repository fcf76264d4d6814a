"""After commit: events handed to their subscribers through the task queue (the real database
backend and worker loop, in this process), retries, the lease, and what a write never suffers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rucher.activity import tasks
from rucher.activity.actions import record, record_view
from rucher.activity.models import Event
from rucher.activity.subscribers import subscribe, subscriber_named, subscribers_for, unsubscribe
from rucher.activity.tasks import LeasedWorker, backoff, requeue_stale
from rucher.conversations.actions import publish
from rucher.conversations.models import Content
from rucher.errors import Conflict

Subscribe = Callable[..., list[Event]]


@pytest.fixture
def subscribed() -> Iterator[Subscribe]:
    """Register a handler that records what it was handed (and fails its first ``fail``
    deliveries); every handler is removed after the test (the product's own subscribers
    are set aside by this folder's conftest)."""
    names: list[str] = []

    def add(*verbs: str, name: str, fail: int = 0, max_attempts: int = 12) -> list[Event]:
        seen: list[Event] = []

        def handler(event: Event) -> None:
            seen.append(event)
            if len(seen) <= fail:
                raise RuntimeError(f"{name} is down")

        subscribe(*verbs, handler=handler, name=name, max_attempts=max_attempts)
        names.append(name)
        return seen

    yield add
    for name in names:
        unsubscribe(name)


def run_worker() -> None:
    """The worker loop of `rucher worker --batch`: recover, run what is ready, return."""
    LeasedWorker(lease=timedelta(minutes=5), interval=0.01, worker_id="test").serve(once=True)


def rows(status: str | None = None) -> list[DBTaskResult]:
    found = DBTaskResult.objects.order_by("enqueued_at")
    return list(found.filter(status=status) if status else found)


def make_due() -> None:
    """Skip the backoff: what is waiting becomes ready now."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(1))


@pytest.mark.django_db(transaction=True)
def test_handed_on_after_commit_once_per_subscriber_of_the_verb(
    subscribed: Subscribe, make_person: Any, make_space: Any
) -> None:
    posts = subscribed("posted", name="t.posts")
    both = subscribed("posted", "mentioned", name="t.both")
    reactions = subscribed("reacted", name="t.reactions")
    alice, bob, carol = (make_person(username=n) for n in ("alice", "bob", "carol"))
    space = make_space(alice, "Ouvert", members=(bob, carol))
    assert rows() == []  # joining a space: nobody listens to those verbs

    with transaction.atomic():
        post = publish(alice, space, "Bonjour @bob et @carol")
        assert rows() == []  # not before the commit
    events = {e.verb: e for e in Event.objects.filter(object_id=post.pk)}
    mentions = sorted(Event.objects.filter(verb="mentioned").values_list("id", flat=True))
    assert len(mentions) == 2
    # One task per (subscriber, event): posted → 2 subscribers, each mention → 1.
    assert len(rows("READY")) == 4

    run_worker()
    assert [e.id for e in posts] == [events["posted"].id]
    assert sorted(e.id for e in both) == sorted([events["posted"].id, *mentions])
    assert reactions == []
    handed = posts[0]
    assert (handed.actor_id, handed.verb, handed.object_type, handed.space_id) == (
        alice.pk,
        "posted",
        "post",
        space.pk,
    )
    assert handed.at == events["posted"].at
    assert len(rows("SUCCESSFUL")) == 4

    run_worker()  # nothing left: nobody is handed anything twice
    assert len(posts) == 1 and len(both) == 3


@pytest.mark.django_db(transaction=True)
def test_nothing_handed_on_when_the_write_rolls_back(
    subscribed: Subscribe, make_person: Any, make_space: Any
) -> None:
    posts = subscribed("posted", name="t.posts")
    alice = make_person(username="alice")
    space = make_space(alice, "Ouvert")

    with pytest.raises(Conflict), transaction.atomic():  # an action failing after its event
        publish(alice, space, "Jamais publié")
        raise Conflict("changed meanwhile")
    with transaction.atomic():  # a savepoint rolled back inside a transaction that commits
        kept = publish(alice, space, "Publié")
        try:
            with transaction.atomic():
                publish(alice, space, "Annulé")
                raise Conflict("no")
        except Conflict:
            pass
    run_worker()
    assert [e.object_id for e in posts] == [kept.pk]
    assert len(rows()) == 1


@pytest.mark.django_db
def test_a_verb_nobody_subscribed_to_costs_no_task_and_no_query(
    subscribed: Subscribe, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscribed("commented", name="t.comments")
    alice = make_person(username="alice")
    assert subscribers_for("posted") == ()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        record(alice, "posted", "post", 1)
        record_view(alice, "post", 1, None)
    # (Other domains may register their own after-commit callbacks, e.g. the live updates'
    # wake-up; none of them is a hand-off to the task queue.)
    assert [c for c in callbacks if hasattr(c, "rucher_batch")] == []
    # The insert of ``record``; ``record_view``'s look-up and insert (a read first, so that
    # reading again the same day stays a read): nothing for the task queue.
    assert len(queries) == 3
    assert all("django_tasks" not in q["sql"] for q in queries.captured_queries)
    with django_capture_on_commit_callbacks() as callbacks:
        record(alice, "commented", "comment", 2)
    assert len([c for c in callbacks if hasattr(c, "rucher_batch")]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_is_retried_later_and_the_write_stays(
    subscribed: Subscribe, make_person: Any, make_space: Any
) -> None:
    flaky = subscribed("posted", name="t.flaky", fail=2)
    steady = subscribed("posted", name="t.steady")
    alice = make_person(username="alice")
    space = make_space(alice, "Ouvert")
    post = publish(alice, space, "Bonjour")

    run_worker()
    assert len(flaky) == 1 and len(steady) == 1  # the steady one is not held back
    failed = rows("FAILED")
    assert [r.args_kwargs["args"][0] for r in failed] == ["t.flaky"]
    assert "t.flaky is down" in failed[0].traceback
    (waiting,) = rows("READY")
    assert waiting.args_kwargs["args"][0] == "t.flaky"
    assert waiting.args_kwargs["args"][2] == 2  # the second attempt…
    assert waiting.run_after > timezone.now()  # …after a backoff
    run_worker()
    assert len(flaky) == 1  # not before its time

    make_due()
    run_worker()  # second attempt fails too
    make_due()
    run_worker()  # third succeeds
    assert [e.id for e in flaky] == [flaky[0].id] * 3
    assert len(rows("FAILED")) == 2 and len(rows("SUCCESSFUL")) == 2 and rows("READY") == []
    assert Content.objects.filter(pk=post.pk).exists()
    assert Event.objects.filter(verb="posted", object_id=post.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_retries_are_bounded(
    subscribed: Subscribe, make_person: Any, caplog: pytest.LogCaptureFixture
) -> None:
    broken = subscribed("posted", name="t.broken", fail=99, max_attempts=3)
    record(make_person(username="alice"), "posted", "post", 1)
    for _ in range(5):
        make_due()
        run_worker()
    assert len(broken) == 3
    assert len(rows("FAILED")) == 3 and rows("READY") == []
    assert "giving up: t.broken failed" in caplog.text


def test_backoff_doubles_up_to_six_hours_and_a_day_bounds_every_retry() -> None:
    waits = [backoff(attempt).total_seconds() for attempt in range(1, 12)]
    assert 30 <= waits[0] <= 33 and 60 <= waits[1] <= 66
    assert all(6 * 3600 <= w <= 6.6 * 3600 for w in waits[-1:])
    assert sum(waits) < 24 * 3600  # the default 12 attempts give up within a day


@pytest.mark.django_db(transaction=True)
def test_an_enqueue_failure_is_logged_and_the_write_stands(
    subscribed: Subscribe,
    make_person: Any,
    make_space: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    posts = subscribed("posted", name="t.posts")
    alice = make_person(username="alice")
    space = make_space(alice, "Ouvert")

    class Broken:
        def enqueue(self, *args: Any) -> None:
            raise RuntimeError("the queue is unreachable")

    monkeypatch.setattr(tasks, "deliver", Broken())
    with caplog.at_level(logging.ERROR, logger="rucher.activity.tasks"):
        post = publish(alice, space, "Bonjour")  # no exception reaches the caller
    assert Content.objects.filter(pk=post.pk).exists()
    assert "not handed to subscriber t.posts" in caplog.text
    assert "the queue is unreachable" in caplog.text
    assert rows() == [] and posts == []


@pytest.mark.django_db(transaction=True)
def test_an_unknown_subscriber_is_retried_not_dropped(
    subscribed: Subscribe, make_person: Any
) -> None:
    subscribed("posted", name="t.gone")
    record(make_person(username="alice"), "posted", "post", 1)
    unsubscribe("t.gone")  # e.g. a worker still running the previous release
    run_worker()
    assert "no subscriber named 't.gone'" in rows("FAILED")[0].traceback
    assert len(rows("READY")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_stopped_mid_task_retries_that_attempt(make_person: Any) -> None:
    worker = LeasedWorker(lease=timedelta(minutes=5), interval=0.01, worker_id="test")

    def stopped_twice(event: Event) -> None:
        worker.running = False  # the first Ctrl-C: finish this task, then stop
        raise SystemExit(1)  # the second one, raised inside the handler

    subscribe("posted", handler=stopped_twice, name="t.stopped")
    try:
        record(make_person(username="alice"), "posted", "post", 1)
        worker.serve()
        assert len(rows("FAILED")) == 1
        (again,) = rows("READY")
        assert again.args_kwargs["args"][0] == "t.stopped"
        assert again.args_kwargs["args"][2] == 2
    finally:
        unsubscribe("t.stopped")


@pytest.mark.django_db
def test_the_lease_requeues_tasks_of_dead_workers_and_fails_poison_pills() -> None:
    def task_row(started_minutes_ago: int, workers: int) -> DBTaskResult:
        return DBTaskResult.objects.create(
            args_kwargs={"args": ["x", {"id": 1}], "kwargs": {}},
            task_path="rucher.activity.tasks.deliver",
            backend_name="default",
            status="RUNNING",
            started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
            worker_ids=[f"w{i}" for i in range(workers)],
        )

    dead = task_row(10, 1)
    alive = task_row(1, 1)
    poison = task_row(10, tasks.MAX_CLAIMS)
    assert requeue_stale(timedelta(minutes=5)) == (1, 1)
    for row in (dead, alive, poison):
        row.refresh_from_db()
    assert (dead.status, alive.status, poison.status) == ("READY", "RUNNING", "FAILED")
    assert "workers died" in poison.traceback


@pytest.mark.django_db
def test_the_immediate_backend_runs_handlers_at_commit(
    subscribed: Subscribe, settings: Any, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Development and tests may run handlers in the request, right after the commit."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    posts = subscribed("posted", name="t.posts")
    alice = make_person(username="alice")
    with django_capture_on_commit_callbacks(execute=True):
        event = record(alice, "posted", "post", 7, space_id=3, value=1.5)
        assert posts == []
    assert [(e.id, e.object_id, e.space_id, e.value) for e in posts] == [(event.id, 7, 3, 1.5)]
    assert not DBTaskResult.objects.exists()


def test_the_registry_refuses_what_would_never_be_delivered() -> None:
    def handler(event: Event) -> None:
        pass

    with pytest.raises(ValueError, match="unknown verb"):
        subscribe("postd", handler=handler)
    with pytest.raises(ValueError, match="not handed"):
        subscribe("viewed", handler=handler)
    with pytest.raises(ValueError, match="at least one verb"):
        subscribe(handler=handler)
    subscribe("posted", handler=handler, name="t.same")
    try:
        subscribe("posted", handler=handler, name="t.same")  # ready() twice: no change
        with pytest.raises(ValueError, match="already registered"):
            subscribe("posted", handler=lambda event: None, name="t.same")
        assert subscriber_named("t.same") is not None
        assert [s.name for s in subscribers_for("posted")] == ["t.same"]
    finally:
        unsubscribe("t.same")
    assert subscribers_for("posted") == ()


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_parent_is_gone_stops_by_itself() -> None:
    """`rucher serve` passes its pid: a server killed without cleaning up leaves no worker."""
    worker = LeasedWorker(lease=timedelta(minutes=5), interval=0.01, parent_pid=-1)
    worker.serve()  # returns instead of polling forever
    assert worker.running


def test_the_backbone_knows_no_domain() -> None:
    """The event log and its after-commit hand-off are the bottom layer: Django, the task
    libraries, `rucher.errors`, `rucher.insights` and `rucher.activity` only (the bulk loader
    and the export are the documented exceptions, outside this check)."""
    import ast
    from pathlib import Path

    import rucher.activity

    folder = Path(rucher.activity.__file__).parent
    allowed = ("rucher.activity", "rucher.errors", "rucher.insights")
    for module in ("actions", "models", "subscribers", "tasks", "apps"):
        tree = ast.parse((folder / f"{module}.py").read_text())
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.startswith("rucher"):
                    assert name.startswith(allowed), f"activity/{module}.py imports {name}"


@pytest.mark.django_db(transaction=True)
def test_the_events_of_one_transaction_are_handed_on_in_one_batch_savepoints_apart(
    subscribed: Subscribe, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    seen = subscribed("posted", "mentioned", name="t.batch")
    alice = make_person(username="alice")
    with transaction.atomic():
        record(alice, "posted", "post", 1)
        record(alice, "mentioned", "post", 1)
        try:
            with transaction.atomic():  # a savepoint whose events must not be handed on
                record(alice, "posted", "post", 2)
                raise Conflict("rolled back")
        except Conflict:
            pass
        record(alice, "posted", "post", 3)
    batches = rows()
    assert len(batches) == 3  # one task per (subscriber, event) kept: posts 1 and 3, the mention
    assert sorted(r.args_kwargs["args"][1]["object_id"] for r in batches) == [1, 1, 3]
    run_worker()
    assert sorted((e.verb, e.object_id) for e in seen) == [
        ("mentioned", 1),
        ("posted", 1),
        ("posted", 3),
    ]

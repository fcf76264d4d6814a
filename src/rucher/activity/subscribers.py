"""Who wants to hear about an event once its write has committed.

The event log is the bottom layer: it knows no domain. A domain (notifications, the search
index, webhooks, live updates…) that must react to what happened registers a handler for the
verbs it cares about, from its ``AppConfig.ready()``::

    from rucher.activity.subscribers import subscribe

    class NotificationsConfig(AppConfig):
        def ready(self) -> None:
            subscribe("commented", "mentioned", handler=notify)

or as a decorator on a module-level function (imported from ``ready()``)::

    @subscribe("posted", "commented")
    def index(event: Event) -> None: ...

``activity.actions.record`` then hands each appended event, **after its transaction commits**
(``transaction.on_commit``), to every subscriber of its verb, as one task per (subscriber,
event) in the database task queue; ``rucher worker`` runs them (``activity/tasks.py``). A
rolled-back write hands nothing on; a verb nobody subscribed to costs nothing (no task, no
SQL). Reads (``viewed``, aggregated per day) and bulk loads (``record_many``: importers and the
demo) are not handed on: a subscriber that needs the whole log rebuilds from it.

**Handlers must be idempotent.** Delivery is *at least once*: a failing handler is retried
with exponential backoff (``max_attempts`` deliveries in all, about 16 hours with the default),
and a task whose worker was killed mid-run is run again once its lease expires
(``RUCHER_TASK_LEASE_SECONDS``). A handler may therefore see the same event twice, or see it
after later events: key what it writes on ``event.id`` (an upsert, a unique constraint, "already
sent?"), and read the current state of the objects rather than trusting the order of arrival.
A handler runs in the worker process, outside any request; it receives an unsaved copy of the
``Event`` row (same ``id`` and fields) and should finish well within the lease (the worker
warns past half of it); anything longer belongs in a task of its own.

A handler raising an exception is retried; it can never undo or block the write that produced
the event, which has already committed.

This module imports no model, so it can be imported before ``django.setup()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from rucher.insights.verbs import VERBS

if TYPE_CHECKING:
    from rucher.activity.models import Event

Handler = Callable[["Event"], Any]

# 12 deliveries: retries after 30 s, 1, 2, 4, 8, 16, 32 min, 1 h 04, 2 h 08, 4 h 16, 6 h
# (the cap), about 14.5 hours in all (16 with the jitter) before giving up.
DEFAULT_MAX_ATTEMPTS = 12
NOT_HANDED_ON = frozenset({"viewed"})  # record_view appends them; they never reach subscribers


@dataclass(frozen=True)
class Subscriber:
    """A registered handler. ``name`` is stored in each task: it must stay stable across
    deployments (by default the handler's dotted path)."""

    name: str
    verbs: frozenset[str]
    handler: Handler
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


_by_name: dict[str, Subscriber] = {}
_by_verb: dict[str, tuple[Subscriber, ...]] = {}


def _index() -> None:
    by_verb: dict[str, list[Subscriber]] = {}
    for subscriber in _by_name.values():
        for verb in subscriber.verbs:
            by_verb.setdefault(verb, []).append(subscriber)
    _by_verb.clear()
    _by_verb.update({verb: tuple(found) for verb, found in by_verb.items()})


def _register(
    verbs: tuple[str, ...], handler: Handler, name: str | None, max_attempts: int
) -> Subscriber:
    if not verbs:
        raise ValueError("subscribe to at least one verb")
    for verb in verbs:
        if verb not in VERBS:
            raise ValueError(f"unknown verb {verb!r} (rucher/insights/verbs.py)")
        if verb in NOT_HANDED_ON:
            raise ValueError(f"{verb!r} events are not handed to subscribers (reads)")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    name = name or f"{handler.__module__}.{handler.__qualname__}"
    subscriber = Subscriber(name, frozenset(verbs), handler, max_attempts)
    existing = _by_name.get(name)
    if existing is not None and existing != subscriber:
        raise ValueError(f"another subscriber is already registered as {name!r}")
    _by_name[name] = subscriber
    _index()
    return subscriber


@overload
def subscribe(
    *verbs: str, handler: None = None, name: str | None = None, max_attempts: int = ...
) -> Callable[[Handler], Handler]: ...


@overload
def subscribe(
    *verbs: str, handler: Handler, name: str | None = None, max_attempts: int = ...
) -> Handler: ...


def subscribe(
    *verbs: str,
    handler: Handler | None = None,
    name: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Handler | Callable[[Handler], Handler]:
    """Register ``handler`` for ``verbs`` (or decorate it). Registering the same handler
    under the same name again changes nothing (``ready()`` may run twice)."""
    if handler is not None:
        _register(verbs, handler, name, max_attempts)
        return handler

    def decorate(function: Handler) -> Handler:
        _register(verbs, function, name, max_attempts)
        return function

    return decorate


def unsubscribe(name: str) -> None:
    """Remove a subscriber (tests; a domain switched off at run time)."""
    _by_name.pop(name, None)
    _index()


def subscribers_for(verb: str) -> tuple[Subscriber, ...]:
    """The subscribers of ``verb``, in registration order (a dict look-up: the write path)."""
    return _by_verb.get(verb, ())


def subscriber_named(name: str) -> Subscriber | None:
    return _by_name.get(name)

"""Badge rules as explainable counts over the event log (``activity.Event``).

Each behaviour says which events count, whose they are (the actor's, or the person acted
upon) and what one unit is (an event, or a distinct person). Nothing here counts what others
do *to* a person in bulk (reactions received, views, followers): a badge rewards what a
person did, or one explicit endorsement of it (an answer accepted by someone else), never
raw popularity (docs/recognition.md, "Badges").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.translation import ngettext_lazy

from rucher.activity.models import Event
from rucher.people.models import Person

from .models import Behaviour

NEWCOMER_DAYS = 30  # "welcomed": a reply or reaction to someone in their first month
TOP_SPACES = 3


@dataclass(frozen=True)
class Counting:
    verbs: tuple[str, ...]
    whose: str  # "actor" or "target"
    distinct_targets: bool = False  # one unit per person acted upon, not per event
    explanation: Any = None  # ngettext_lazy with %(count)s


COUNTINGS: dict[str, Counting] = {
    Behaviour.ACCEPTED_ANSWERS: Counting(
        ("accepted_answer",),
        "target",
        explanation=ngettext_lazy(
            "%(count)s answer accepted", "%(count)s answers accepted", "count"
        ),
    ),
    Behaviour.POSTS: Counting(
        ("posted", "asked"),
        "actor",
        explanation=ngettext_lazy(
            "%(count)s post or question published",
            "%(count)s posts and questions published",
            "count",
        ),
    ),
    Behaviour.ANSWERS: Counting(
        ("answered",),
        "actor",
        explanation=ngettext_lazy("%(count)s answer given", "%(count)s answers given", "count"),
    ),
    Behaviour.WELCOMED: Counting(
        ("commented", "answered", "reacted"),
        "actor",
        distinct_targets=True,
        explanation=ngettext_lazy(
            "%(count)s newcomer welcomed in their first month",
            "%(count)s newcomers welcomed in their first month",
            "count",
        ),
    ),
    Behaviour.KUDOS_GIVEN: Counting(
        ("gave_kudos",),
        "actor",
        explanation=ngettext_lazy("%(count)s kudos given", "%(count)s kudos given", "count"),
    ),
}

# Every verb some rule counts: the worker's subscriber listens to these.
COUNTED_VERBS: frozenset[str] = frozenset(v for c in COUNTINGS.values() for v in c.verbs)


def explain(behaviour: str, count: int) -> str:
    counting = COUNTINGS.get(behaviour)
    if counting is None or counting.explanation is None:
        return str(count)
    return str(counting.explanation % {"count": count})


def events_for(behaviour: str) -> QuerySet[Event]:
    """The events ``behaviour`` counts (for everyone)."""
    counting = COUNTINGS[behaviour]
    rows = Event.objects.filter(verb__in=counting.verbs)
    if counting.whose == "target":
        # Accepting one's own answer is no endorsement.
        rows = rows.filter(target_id__isnull=False).exclude(target_id=F("actor_id"))
    if counting.distinct_targets:
        newcomer = Person.objects.filter(
            pk=OuterRef("target_id"),
            date_joined__gt=OuterRef("at") - timedelta(days=NEWCOMER_DAYS),
        )
        rows = (
            rows.filter(target_id__isnull=False)
            .exclude(target_id=F("actor_id"))
            .filter(Exists(newcomer))
        )
    return rows


@dataclass
class Tally:
    """What one person did for one behaviour: the count and where most of it happened."""

    count: int
    spaces: list[int]


def tally(behaviour: str, people: Iterable[int] | None = None) -> dict[int, Tally]:
    """Person id -> their tally for ``behaviour`` (everyone with at least one unit when
    ``people`` is None): one query."""
    counting = COUNTINGS[behaviour]
    whose = "target_id" if counting.whose == "target" else "actor_id"
    rows = events_for(behaviour)
    if people is not None:
        rows = rows.filter(**{f"{whose}__in": list(people)})
    units: dict[int, set[Any]] = {}
    where: dict[int, Counter[int]] = {}
    for person, pk, target, space in rows.values_list(whose, "pk", "target_id", "space_id"):
        if person is None:
            continue
        unit = target if counting.distinct_targets else pk
        mine = units.setdefault(person, set())
        if unit in mine:
            continue
        mine.add(unit)
        if space is not None:
            where.setdefault(person, Counter())[space] += 1
    return {
        person: Tally(
            len(found), [s for s, _n in where.get(person, Counter()).most_common(TOP_SPACES)]
        )
        for person, found in units.items()
    }


def people_concerned(verb: str, actor_id: int, target_id: int | None) -> set[int]:
    """Whose tallies an event of ``verb`` may move (the worker re-counts only theirs)."""
    concerned: set[int] = set()
    for counting in COUNTINGS.values():
        if verb not in counting.verbs:
            continue
        if counting.whose == "target":
            if target_id is not None:
                concerned.add(target_id)
        else:
            concerned.add(actor_id)
    return concerned


__all__ = ["COUNTED_VERBS", "COUNTINGS", "Tally", "explain", "people_concerned", "tally"]

"""Badges are awarded after the commit, never in the request that earned them:

- the worker: ``evaluate`` subscribes to every verb some rule counts
  (``rules.COUNTED_VERBS``); for the people an event concerns it re-counts the enabled rules
  that count that verb, and awards what is newly reached (``actions.award_badge``: one
  ``earned_badge`` event each, told by the notifications' fan-out);
- the same subscriber, on ``changed_recognition`` for a badge rule: a rule added, changed or
  switched on is counted over the whole log at once;
- ``rucher badges award`` (``backfill``): every enabled rule over the whole log, for rules
  added or switched on after the fact, and for data that was bulk-loaded (a bulk load hands
  no event on).

Both are idempotent: a badge is earned once per person and rule (a unique constraint; a
retried task or a second run awards nothing twice), and they read the log as it is now
rather than trusting the order in which events arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import IntegrityError

from rucher.activity.models import Event
from rucher.activity.subscribers import subscribe
from rucher.errors import ActionError
from rucher.people.models import Person

from .actions import award_badge
from .models import BadgeAward, BadgeRule
from .rules import COUNTED_VERBS, COUNTINGS, Tally, people_concerned, tally

logger = logging.getLogger("rucher.recognition")

SUBSCRIBER = "rucher.recognition.badges"


def _award(person: Person, rule: BadgeRule, found: Tally, because: int | None) -> bool:
    try:
        award_badge(person, rule, found, because=because)
    except (ActionError, IntegrityError):  # earned meanwhile (a second worker), or refused
        return False
    return True


def award_due(
    people: Iterable[int] | None,
    rules: Iterable[BadgeRule],
    *,
    because: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Award every badge of ``rules`` whose threshold ``people`` (everyone when None) reached
    and do not hold yet; the number awarded. One counting query per rule, one query for the
    badges already held, then one action per badge awarded."""
    awarded = 0
    wanted = None if people is None else list(people)
    for rule in rules:
        if not rule.enabled or rule.behaviour not in COUNTINGS:
            continue
        tallies = tally(rule.behaviour, wanted)
        reached = {pk: t for pk, t in tallies.items() if t.count >= rule.threshold}
        if reached:
            held = set(
                BadgeAward.objects.filter(rule=rule, person_id__in=list(reached)).values_list(
                    "person_id", flat=True
                )
            )
            due = sorted(pk for pk in reached if pk not in held)
            for person in Person.objects.filter(pk__in=due, is_active=True).order_by("pk"):
                awarded += _award(person, rule, reached[person.pk], because)
                if progress is not None:
                    progress(1)
    return awarded


def evaluate(event: Event) -> int:
    """The subscriber: re-count, for the people ``event`` concerns, the enabled rules that
    count its verb; award what is newly reached."""
    if event.verb == "changed_recognition":
        # A rule added, changed or switched on: whoever already qualifies earns it now.
        if event.object_type != "badge_rule" or event.object_id is None:
            return 0
        return award_due(None, BadgeRule.objects.filter(pk=event.object_id, enabled=True))
    concerned = people_concerned(event.verb, event.actor_id, event.target_id)
    if not concerned:
        return 0
    behaviours = [b for b, c in COUNTINGS.items() if event.verb in c.verbs]
    rules = list(BadgeRule.objects.filter(enabled=True, behaviour__in=behaviours))
    if not rules:
        return 0
    # Once people hold a rule's badge, their next events need no counting: the steady cost
    # of an event is these two queries.
    held = set(
        BadgeAward.objects.filter(
            person_id__in=list(concerned), rule__in=[r.pk for r in rules]
        ).values_list("person_id", "rule_id")
    )
    rules = [r for r in rules if any((pk, r.pk) not in held for pk in concerned)]
    if not rules:
        return 0
    return award_due(concerned, rules, because=event.pk)


def backfill(
    rules: Iterable[BadgeRule] | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Every enabled rule over the whole event log (``rucher badges award``)."""
    chosen = list(rules) if rules is not None else list(BadgeRule.objects.filter(enabled=True))
    return award_due(None, chosen, progress=progress)


def register() -> None:
    """Called from ``RecognitionConfig.ready()``."""
    subscribe(*sorted(COUNTED_VERBS), "changed_recognition", handler=evaluate, name=SUBSCRIBER)

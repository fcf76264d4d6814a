"""After new events, the worker computes the cockpit's overview pages again, so the community
manager who opens the cockpit next finds them ready (warm) instead of waiting for a cold pass.

One delivery per event, but bursts are coalesced: a delivery returns at once when a later
event of these verbs exists (its own delivery will compute the fresher report). The reports
go to the shared "cockpit" cache (``cockpit/data.py``), one per distinct set of spaces the
community managers and administrators may analyse (at most ``MAX_VIEWERS`` sets).
Idempotent: computing a report twice stores the same thing under the same key.
"""

from __future__ import annotations

from rucher.activity.models import Event
from rucher.activity.subscribers import subscribe
from rucher.cockpit.data import Scope, compute_report, default_period
from rucher.cockpit.pages import OVERVIEW
from rucher.people.models import Person
from rucher.spaces import permissions

SUBSCRIBER = "rucher.cockpit.warm"
# What changes the overview's figures: contributions, answers, reactions, votes, newcomers.
VERBS = ("posted", "asked", "commented", "answered", "reacted", "voted", "accepted_answer")
MAX_VIEWERS = 10


def cockpit_viewers() -> list[Person]:
    """One community manager or administrator per distinct set of analysable spaces."""
    chosen: dict[tuple[int, ...], Person] = {}
    people = Person.objects.filter(
        is_active=True, kind__in=(Person.Kind.COMMUNITY_MANAGER, Person.Kind.ADMIN)
    ).order_by("pk")
    for person in people:
        if not permissions.can_use_cockpit(person):
            continue
        spaces = tuple(
            sorted(
                permissions.analysable_spaces(person, leaving_rucher=False).values_list(
                    "id", flat=True
                )
            )
        )
        chosen.setdefault(spaces, person)
        if len(chosen) >= MAX_VIEWERS:
            break
    return list(chosen.values())


def warm(event: Event) -> None:
    """Compute the organisation's overview (and its previous period's trend) for the default
    period, unless a later event will."""
    if Event.objects.filter(pk__gt=event.pk, verb__in=VERBS).exists():
        return
    period = default_period()
    for viewer in cockpit_viewers():
        compute_report(viewer, Scope("organisation"), period, sections=OVERVIEW.sections)
        compute_report(
            viewer, Scope("organisation"), period.previous(), sections=("engagement_series",)
        )


def register() -> None:
    subscribe(*VERBS, handler=warm, name=SUBSCRIBER)

"""A few real notifications for the demo accounts, once the organisation is loaded.

The bulk load hands no event to subscribers (a bulk load is not news: docs/architecture.md),
so the demo accounts would open an empty notification centre. This runs the real fan-out
(``notifications.fanout.notify``: the same grouping, policy and mute checks as the worker)
over the recent events that concern them: replies, answers, reactions, accepted answers and
mentions; makes the employee watch one of his spaces, so its latest posts show up too; and
has colleagues mention the guest and the administrator through the real actions (they have
little history of their own).
The demo accounts choose e-mail at once for their mentions, so a mention shows up as an
e-mail file too. What is older than a few days is marked read, so the bell shows what is
new. Bounded
(``LIMIT`` events): a second or so on top of the load.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from rucher.activity.models import Event
from rucher.conversations.actions import publish
from rucher.conversations.models import Content
from rucher.demo.organisation import DEMO_ACCOUNTS
from rucher.notifications import preferences
from rucher.notifications.fanout import notify
from rucher.notifications.models import Notification
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Membership, Space

LIMIT = 300  # events handed to the fan-out
RECENT = timedelta(days=30)
UNREAD = timedelta(days=4)
WATCHER = "employe"  # watches one of his spaces


def seed_notifications() -> int:
    """Run the fan-out over the demo accounts' recent events; the notifications written."""
    people = {
        p.username: p
        for p in Person.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
    }
    if not people:
        return 0
    ids = [p.pk for p in people.values()]
    newest = Event.objects.aggregate(newest=Max("at"))["newest"]
    if newest is None:
        return 0
    since = newest - RECENT
    concerns = (
        Q(verb="mentioned", target_id__in=ids)
        | Q(
            verb__in=("reacted", "accepted_answer"),
            object_id__in=Content.objects.filter(author_id__in=ids).values("pk"),
        )
        | Q(
            verb__in=("commented", "answered"),
            object_id__in=Content.objects.filter(parent__author_id__in=ids).values("pk"),
        )
    )
    # The demo shows every way of being told: the demo accounts get their mentions by e-mail
    # at once (the worker writes them under ./var/mail), the rest as everyone does.
    for person in people.values():
        preferences.set_kind_channel(person, "mention", "email")
    watched = _watch_a_space(people.get(WATCHER))
    if watched is not None:
        concerns |= Q(verb__in=("posted", "asked"), space_id=watched)
    events = list(
        Event.objects.filter(concerns, at__gte=since)
        .exclude(actor_id__in=ids)
        .order_by("-at")[:LIMIT]
    )
    events.reverse()
    # One transaction: one commit (SQLite syncs each), not one per event.
    with transaction.atomic():
        events += _a_few_real_actions(people)
        written = sum(len(notify(event)) for event in events)
    Notification.objects.filter(
        recipient_id__in=ids, read_at__isnull=True, updated_at__lt=newest - UNREAD
    ).update(read_at=timezone.now())
    return written


def _a_few_real_actions(people: dict[str, Person]) -> list[Event]:
    """The guest and the administrator have little history: a colleague mentions each of
    them, through the real actions; their events, handed to the fan-out here (the worker,
    when it runs them later, finds them done)."""
    before = Event.objects.aggregate(last=Max("id"))["last"] or 0
    guest, admin = people.get("partenaire"), people.get("admin")
    employee, animator = people.get("employe"), people.get("animatrice")
    if guest is not None and employee is not None:
        shared = permissions.postable_spaces(guest).filter(
            pk__in=permissions.postable_spaces(employee).values("pk")
        )
        space = shared.order_by("pk").first()
        if space is not None:
            publish(
                employee,
                space,
                "@partenaire bonjour Marc, les nouvelles fiches produit sont en ligne : "
                "pouvez-vous les relire avant vendredi ?",
            )
    if admin is not None and animator is not None:
        space = (
            permissions.postable_spaces(animator)
            .filter(visibility=Space.Visibility.OPEN, kind=Space.Kind.INTERNAL)
            .order_by("-member_count", "pk")
            .first()
        )
        if space is not None:
            publish(
                animator,
                space,
                "Merci @admin pour la mise à jour de la plateforme ce week-end ! "
                "Les espaces chargent beaucoup plus vite.",
            )
    return list(Event.objects.filter(id__gt=before).order_by("id"))


def _watch_a_space(person: Person | None) -> int | None:
    """The busiest space ``person`` reads and belongs to, now watched in the app."""
    if person is None:
        return None
    mine = Membership.objects.filter(person=person, status=permissions.ACTIVE).values("space_id")
    space = (
        permissions.readable_spaces(person)
        .filter(pk__in=mine, confidential=False)
        .order_by("-member_count", "pk")
        .first()
    )
    if space is None:
        return None
    preferences.watch_space(person, space.pk, "app")
    return int(space.pk)

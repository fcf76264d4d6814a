"""A few kudos and the badges already earned, for the demo organisation (docs/recognition.md).

Kudos go through the real action (``recognition.actions.give_kudos``): colleagues thank the
demo accounts, and the employee thanks a colleague in a space. Badges are awarded over the
bulk-loaded log by the same code as ``rucher badges award``. The notifications of what
concerns the demo accounts are written by the real fan-out, as the worker would (it finds
them done when it runs the same events later)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from rucher.activity.models import Event
from rucher.notifications.fanout import notify
from rucher.people.models import Person
from rucher.recognition.actions import give_kudos
from rucher.recognition.awarding import backfill
from rucher.recognition.models import KudosKind
from rucher.recognition.queries import kudos_spaces
from rucher.spaces import permissions

# (giver, recipient, kind, message, in a shared space?)
KUDOS = [
    (
        "animatrice",
        "employe",
        "merci",
        "Merci pour ta réponse détaillée sur les congés : elle a servi à toute l'équipe.",
        True,
    ),
    (
        "employe",
        "animatrice",
        "esprit-equipe",
        "Merci d'avoir organisé l'atelier d'accueil des nouveaux, c'était très utile.",
        False,
    ),
    ("admin", "employe", "bravo", "Bravo pour la documentation du nouvel outil !", False),
    (
        "employe",
        "partenaire",
        "coup-de-main",
        "Merci Marc pour la relecture rapide des fiches produit.",
        True,
    ),
]


def _colleague_of(person: Person) -> Person | None:
    """Someone ``person`` may see who is not a demo account: the busiest poster."""
    return (
        permissions.visible_people(person)
        .filter(is_demo=True, kind=Person.Kind.EMPLOYEE)
        .exclude(username__in=["admin", "animatrice", "employe", "partenaire"])
        .order_by("pk")
        .first()
    )


def seed_recognition() -> tuple[int, int]:
    """(kudos given, badges awarded)."""
    people = {
        p.username: p
        for p in Person.objects.filter(
            username__in=["admin", "animatrice", "employe", "partenaire"]
        )
    }
    if not people:
        return 0, 0
    before = Event.objects.aggregate(last=Max("id"))["last"] or 0
    given = 0
    with transaction.atomic():
        for giver_name, recipient_name, kind, message, in_space in KUDOS:
            giver, recipient = people.get(giver_name), people.get(recipient_name)
            if giver is None or recipient is None:
                continue
            if not KudosKind.objects.filter(slug=kind, active=True).exists():
                continue  # a database without the starter list (its migration's rows)
            space = kudos_spaces(giver, recipient).order_by("-member_count", "pk").first()
            give_kudos(
                giver,
                recipient.pk,
                kind,
                message,
                space_id=space.pk if in_space and space is not None else None,
            )
            given += 1
        employee = people.get("employe")
        colleague = _colleague_of(employee) if employee is not None else None
        starter = KudosKind.objects.filter(slug="idee-lumineuse", active=True).exists()
        if employee is not None and colleague is not None and starter:
            give_kudos(
                colleague,
                employee.pk,
                "idee-lumineuse",
                "Ton idée de FAQ partagée nous fait gagner un temps fou.",
            )
            given += 1
        awarded = backfill()
        ids = {p.pk for p in people.values()}
        for event in Event.objects.filter(id__gt=before).order_by("id"):
            if event.target_id in ids or event.actor_id in ids:
                notify(event)
    return given, awarded

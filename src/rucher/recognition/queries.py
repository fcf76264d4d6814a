"""The read paths of recognition, through the read policy (``spaces/permissions.py``).

Who sees a kudos: a person who may see both its giver and its recipient
(``permissions.visible_people``) and, when it was given in a space, who may read that space
(``permissions.readable_spaces``). A partner guest therefore sees only kudos between people
of their spaces, and a kudos given in a private space only if they belong to it.

Who sees a badge: whoever may see its holder, unless the holder hides their badges (then
only they see them); the spaces a badge's explanation names are only those the viewer may
read. Query counts are fixed (pinned in ``tests/recognition/test_queries.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space

from .models import BadgeAward, BadgeRule, Kudos, KudosKind, RecognitionChoice
from .rules import explain

PROFILE_KUDOS = 20
SPACE_KUDOS = 5
MAX_LIST = 100


def _language() -> str:
    return get_language() or "fr"


def kinds(*, active_only: bool = True) -> list[KudosKind]:
    rows = KudosKind.objects.all()
    if active_only:
        rows = rows.filter(active=True)
    found = list(rows)
    language = _language()
    for kind in found:
        kind.label = kind.label_for(language)  # type: ignore[attr-defined]
    return found


def rules() -> list[BadgeRule]:
    found = list(BadgeRule.objects.all())
    language = _language()
    for rule in found:
        rule.name = rule.name_for(language)  # type: ignore[attr-defined]
    return found


def visible_kudos(viewer: Any) -> QuerySet[Kudos]:
    """The kudos ``viewer`` may see (the policy as subqueries of one statement)."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return Kudos.objects.none()
    people = permissions.visible_people(viewer).values("pk")
    return Kudos.objects.filter(
        Q(space__isnull=True) | Q(space_id__in=permissions.readable_spaces(viewer).values("pk")),
        giver_id__in=people,
        recipient_id__in=people,
    )


def _labelled(rows: QuerySet[Kudos], limit: int) -> list[Kudos]:
    found = list(
        rows.select_related("giver", "recipient", "kind", "space").order_by("-created_at", "-id")[
            :limit
        ]
    )
    language = _language()
    for kudos in found:
        kudos.label = kudos.kind.label_for(language)  # type: ignore[attr-defined]
    return found


def received(viewer: Any, person: Person, limit: int = PROFILE_KUDOS) -> list[Kudos]:
    """The kudos ``person`` received that ``viewer`` may see, newest first: one query."""
    return _labelled(visible_kudos(viewer).filter(recipient=person), limit)


def given(viewer: Any, person: Person, limit: int = PROFILE_KUDOS) -> list[Kudos]:
    return _labelled(visible_kudos(viewer).filter(giver=person), limit)


def in_space(viewer: Any, space: Space, limit: int = SPACE_KUDOS) -> list[Kudos]:
    """The kudos shown in ``space`` (the caller checked the viewer may read it): one query."""
    return _labelled(visible_kudos(viewer).filter(space=space), limit)


def kudos_spaces(giver: Any, recipient: Person) -> QuerySet[Space]:
    """Where ``giver`` may also show a kudos to ``recipient``: spaces the giver may post in and
    the recipient may read, not confidential (``actions.give_kudos`` checks the same)."""
    return (
        permissions.postable_spaces(giver)
        .filter(confidential=False, pk__in=permissions.readable_spaces(recipient).values("pk"))
        .order_by("name")
    )


def hides_badges(person: Person) -> bool:
    return RecognitionChoice.objects.filter(person=person, hide_badges=True).exists()


@dataclass
class ShownBadge:
    award: BadgeAward
    name: str
    symbol: str
    why: str  # "Awarded on 3 December 2026: 10 answers accepted in Support, Quality"

    @property
    def awarded_at(self) -> datetime:
        return self.award.awarded_at

    @property
    def slug(self) -> str:
        return str(self.award.rule.slug)


def badges(viewer: Any, person: Person) -> list[ShownBadge]:
    """The badges of ``person`` that ``viewer`` may see, newest first, each with why it was
    earned: two queries (the awards with their rules and the holder's choice; the names of
    the spaces named, among those the viewer may read), one when none names a space."""
    rows = BadgeAward.objects.filter(person=person).select_related("rule")
    if viewer.pk != person.pk:
        hidden = RecognitionChoice.objects.filter(person_id=OuterRef("person_id"), hide_badges=True)
        rows = rows.exclude(Exists(hidden))
    found = list(rows.order_by("-awarded_at", "-id"))
    return describe(viewer, found)


def describe(viewer: Any, awards: list[BadgeAward]) -> list[ShownBadge]:
    named = {pk for award in awards for pk in award.spaces or []}
    names: dict[int, str] = {}
    if named:
        names = dict(
            permissions.readable_spaces(viewer).filter(pk__in=list(named)).values_list("pk", "name")
        )
    language = _language()
    shown = []
    for award in awards:
        what = explain(award.rule.behaviour, award.count)
        where = [names[pk] for pk in award.spaces or [] if pk in names]
        date = formats.date_format(award.awarded_at, "DATE_FORMAT")
        if where:
            why = _("Awarded on %(date)s: %(what)s in %(spaces)s") % {
                "date": date,
                "what": what,
                "spaces": ", ".join(where),
            }
        else:
            why = _("Awarded on %(date)s: %(what)s") % {"date": date, "what": what}
        shown.append(ShownBadge(award, award.rule.name_for(language), award.rule.symbol, why))
    return shown

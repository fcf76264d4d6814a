"""The writes of recognition (each: validate, check the policy, write in one transaction,
append exactly one event): giving kudos, awarding a badge (the worker and the backfill), a
member hiding their badges, and the community manager's kudos list and badge rules."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from rucher import text
from rucher.activity.actions import record
from rucher.errors import Conflict, Forbidden, Invalid, NotFound
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space

from .models import (
    BADGE_NAME_MAX,
    KUDOS_MESSAGE_MAX,
    LABEL_MAX,
    BadgeAward,
    BadgeRule,
    Behaviour,
    Kudos,
    KudosKind,
    RecognitionChoice,
)
from .rules import Tally

MAX_THRESHOLD = 10_000
SYMBOL_MAX = 8


def _kind(slug: object) -> KudosKind:
    if not isinstance(slug, str) or not slug:
        raise Invalid(_("choose a kind of kudos"))
    text.require(slug, _("kind of kudos"))
    found = KudosKind.objects.filter(slug=slug, active=True).first()
    if found is None:
        raise Invalid(_("unknown kind of kudos: %(kind)s") % {"kind": slug[:40]})
    return found


def _space_for_kudos(giver: Person, recipient: Person, space_id: int) -> Space:
    """A space the kudos is also shown in: one the giver may post in and the recipient may
    read (it is about work done there), never a confidential one (its reads are recorded
    item by item, and a kudos card is not such an item)."""
    space = permissions.get_visible_space(giver, space_id)
    permissions.require_post_in(giver, space)
    if space.confidential:
        raise Invalid(_("kudos cannot be shown in a confidential space"))
    if not permissions.space_readers(space).filter(pk=recipient.pk).exists():
        raise Invalid(
            _("%(name)s cannot read this space: choose another one, or none")
            % {"name": recipient.display_name}
        )
    return space


@transaction.atomic
def give_kudos(
    giver: Person,
    recipient_id: int,
    kind: str,
    message: object,
    *,
    space_id: int | None = None,
) -> Kudos:
    """``giver`` thanks a person they may see, with a short message; shown on the
    recipient's profile and, if ``space_id`` is given, in that space."""
    recipient = permissions.visible_people(giver).filter(pk=recipient_id).first()
    if recipient is None:
        raise NotFound(_("person not found"))
    if recipient.pk == giver.pk:
        raise Invalid(_("you cannot give kudos to yourself"))
    chosen = _kind(kind)
    words = text.clean(message, KUDOS_MESSAGE_MAX, _("message"))
    space = _space_for_kudos(giver, recipient, space_id) if space_id is not None else None
    kudos = Kudos.objects.create(
        giver=giver, recipient=recipient, kind=chosen, message=words, space=space
    )
    record(
        giver,
        "gave_kudos",
        "kudos",
        kudos.pk,
        space_id=space.pk if space is not None else None,
        target_id=recipient.pk,
    )
    return kudos


@transaction.atomic
def award_badge(
    person: Person, rule: BadgeRule, tally: Tally, *, because: int | None = None
) -> BadgeAward:
    """``person`` earns ``rule``'s badge (the worker, or ``rucher badges award``): once per
    rule, only while the rule is enabled and its threshold reached. The event's actor is the
    person who earned it."""
    if not rule.enabled:
        raise Invalid(_("this badge is switched off"))
    if tally.count < rule.threshold:
        raise Invalid(_("this badge's threshold is not reached"))
    if not person.is_active:
        raise Invalid(_("this account is not active"))
    if BadgeAward.objects.filter(person=person, rule=rule).exists():
        raise Conflict(_("this badge was already earned"))
    award = BadgeAward.objects.create(
        person=person,
        rule=rule,
        count=tally.count,
        spaces=list(tally.spaces),
        because_event_id=because,
    )
    record(person, "earned_badge", "badge", award.pk, target_id=person.pk, value=float(tally.count))
    return award


@transaction.atomic
def set_badges_hidden(person: Person, hidden: bool) -> RecognitionChoice:
    """A member shows or hides their badges (on their profile and in the API) from everyone
    but themselves."""
    if not isinstance(hidden, bool):
        raise Invalid(_("say whether to hide your badges"))
    choice, _created = RecognitionChoice.objects.get_or_create(person=person)
    choice.hide_badges = hidden
    choice.save(update_fields=["hide_badges", "updated_at"])
    record(person, "changed_privacy", "badges", person.pk, value=1.0 if hidden else 0.0)
    return choice


def _require_manager(person: Person) -> None:
    if not permissions.can_manage_recognition(person):
        raise Forbidden(_("only community managers and administrators manage recognition"))


def _label(value: object, limit: int, what: str) -> str:
    return text.clean(value, limit, what)


def _symbol(value: object) -> str:
    if value in (None, ""):
        return ""
    found = text.require(value, _("symbol")).strip()
    if len(found) > SYMBOL_MAX:
        raise Invalid(_("a symbol is at most %(n)s characters") % {"n": SYMBOL_MAX})
    return found


def _free_slug(model: Any, base: str) -> str:
    base = (slugify(base) or "item")[:32]
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def save_kudos_kind(
    actor: Person,
    *,
    kind_id: int | None = None,
    label_fr: object,
    label_en: object,
    symbol: object = "",
    active: bool = True,
) -> KudosKind:
    """Add a kind to the organisation's kudos list, or rename, switch off or on one."""
    _require_manager(actor)
    fr = _label(label_fr, LABEL_MAX, _("French label"))
    en = _label(label_en, LABEL_MAX, _("English label"))
    if kind_id is None:
        last = KudosKind.objects.order_by("-position").values_list("position", flat=True).first()
        kind = KudosKind(slug=_free_slug(KudosKind, en or fr), position=(last or 0) + 1)
    else:
        found = KudosKind.objects.filter(pk=kind_id).first()
        if found is None:
            raise NotFound(_("kind of kudos not found"))
        kind = found
    kind.label_fr, kind.label_en, kind.symbol, kind.active = fr, en, _symbol(symbol), bool(active)
    kind.save()
    record(actor, "changed_recognition", "kudos_kind", kind.pk)
    return kind


@transaction.atomic
def save_badge_rule(
    actor: Person,
    *,
    rule_id: int | None = None,
    behaviour: object,
    threshold: object,
    name_fr: object,
    name_en: object,
    symbol: object = "",
    enabled: bool = True,
) -> BadgeRule:
    """Add a badge rule (a behaviour and a threshold), or change, switch off or on one."""
    _require_manager(actor)
    if behaviour not in Behaviour.values:
        raise Invalid(_("unknown behaviour: choose one of the list"))
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise Invalid(_("the threshold is a whole number"))
    if not 1 <= threshold <= MAX_THRESHOLD:
        raise Invalid(_("the threshold is between 1 and %(max)s") % {"max": MAX_THRESHOLD})
    fr = _label(name_fr, BADGE_NAME_MAX, _("French name"))
    en = _label(name_en, BADGE_NAME_MAX, _("English name"))
    if rule_id is None:
        last = BadgeRule.objects.order_by("-position").values_list("position", flat=True).first()
        rule = BadgeRule(slug=_free_slug(BadgeRule, en or fr), position=(last or 0) + 1)
    else:
        found = BadgeRule.objects.filter(pk=rule_id).first()
        if found is None:
            raise NotFound(_("badge rule not found"))
        rule = found
    rule.behaviour, rule.threshold = str(behaviour), threshold
    rule.name_fr, rule.name_en, rule.symbol, rule.enabled = fr, en, _symbol(symbol), bool(enabled)
    rule.save()
    record(actor, "changed_recognition", "badge_rule", rule.pk)
    return rule

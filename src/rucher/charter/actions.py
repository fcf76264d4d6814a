"""The write door of the charter and the space rules: validate, check, write atomically,
append exactly one event (``published_charter``, ``accepted_charter``,
``changed_space_rules``; the first and the last are mirrored into the audit trail)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.charter.gate import audience_of, mark_passed
from rucher.charter.models import Audience, CharterAcceptance, CharterVersion, SpaceRules
from rucher.errors import Conflict, Forbidden, Invalid, NotFound
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space
from rucher.text import is_blank, problem, strip

CHARTER_MAX_LENGTH = 20_000
RULES_MAX_LENGTH = 1_000


def _optional_text(value: object, limit: int, what: str) -> str:
    """A text that may be empty (one language of two), else at most ``limit`` characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(_("%(field)s must be text") % {"field": what})
    if reason := problem(value):
        raise Invalid(reason)
    value = strip(value)
    if is_blank(value):
        return ""
    if len(value) > limit:
        raise Invalid(
            _("%(field)s has at most %(limit)s characters") % {"field": what, "limit": limit}
        )
    return value


def _parse_audience(value: object) -> str:
    if value not in Audience.values:
        raise Invalid(_("the charter is for members or for partner guests"))
    return str(value)


@transaction.atomic
def publish_charter(
    admin: Person, audience: object, text_fr: object, text_en: object
) -> CharterVersion:
    """A new version of the members' or the partner guests' charter: everyone of that
    audience accepts it again at their next contribution."""
    if admin.kind != Person.Kind.ADMIN:
        raise Forbidden(_("only administrators publish the charter"))
    audience = _parse_audience(audience)
    french = _optional_text(text_fr, CHARTER_MAX_LENGTH, _("the French text"))
    english = _optional_text(text_en, CHARTER_MAX_LENGTH, _("the English text"))
    if not french and not english:
        raise Invalid(_("the charter needs a text, in French or in English (or both)"))
    # The newest row locked (PostgreSQL) so two administrators publishing at once do not
    # pick the same number; the unique constraint backs it up.
    newest = (
        CharterVersion.objects.select_for_update()
        .filter(audience=audience)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            version = CharterVersion.objects.create(
                audience=audience,
                number=(newest or 0) + 1,
                text_fr=french,
                text_en=english,
                published_by=admin,
            )
    except IntegrityError:
        raise Conflict(_("another version was published at the same time; try again")) from None
    record(admin, "published_charter", "charter", version.pk)
    return version


@transaction.atomic
def accept_charter(person: Person, number: object) -> CharterAcceptance:
    """The person accepts version ``number`` of their audience's charter (the current one)."""
    if isinstance(number, bool) or not isinstance(number, (int, str)):
        raise Invalid(_("the version is a whole number"))
    try:
        wanted = int(number)
    except ValueError:
        raise Invalid(_("the version is a whole number")) from None
    audience = audience_of(person)
    newest = (
        CharterVersion.objects.filter(audience=audience)
        .order_by("-number")
        .values_list("pk", "number")
        .first()
    )
    if newest is None or (
        newest[1] != wanted
        and not CharterVersion.objects.filter(audience=audience, number=wanted).exists()
    ):
        raise NotFound(_("there is no version %(number)s of your charter") % {"number": wanted})
    version_id, current = newest
    if current != wanted:
        raise Conflict(
            _("version %(number)s is no longer current: read and accept version %(current)s")
            % {"number": wanted, "current": current}
        )
    try:
        with transaction.atomic():
            row = CharterAcceptance.objects.create(person=person, version_id=version_id)
    except IntegrityError:
        raise Conflict(_("you already accepted this version of the charter")) from None
    record(person, "accepted_charter", "charter", version_id)
    mark_passed(person)
    return row


@transaction.atomic
def set_space_rules(
    person: Person, space: Space, text_fr: object, text_en: object
) -> SpaceRules | None:
    """The space's managers (and administrators) write its rules; both texts empty removes
    them. ``None`` when removed."""
    if not permissions.visible_spaces(person).filter(pk=space.pk).exists():
        raise NotFound(_("space not found"))
    if not permissions.can_manage_space(person, space):
        raise Forbidden(_("only the space's community managers write its rules"))
    french = _optional_text(text_fr, RULES_MAX_LENGTH, _("the French rules"))
    english = _optional_text(text_en, RULES_MAX_LENGTH, _("the English rules"))
    rules: SpaceRules | None
    if not french and not english:
        deleted, _count = SpaceRules.objects.filter(space=space).delete()
        if not deleted:
            raise Invalid(_("write the rules in French or in English (or both)"))
        rules = None
    else:
        rules, _created = SpaceRules.objects.update_or_create(
            space=space,
            defaults={
                "text_fr": french,
                "text_en": english,
                "updated_by": person,
                "updated_at": timezone.now(),
            },
        )
    record(person, "changed_space_rules", "space", space.pk, space_id=space.pk)
    return rules

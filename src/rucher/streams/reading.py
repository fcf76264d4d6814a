"""A person's reading choices: which stream opens first, and how long their Essentiel is.

Like the notification preferences, these are the person's own display settings, not events
of the network: they append no event (docs/architecture.md, "Notifications"), and validate
like actions do (``Invalid``: 422 with a translated reason).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from rucher.errors import Invalid
from rucher.people.models import Person

MAX_ESSENTIAL_ITEMS = 50


def organisation_items() -> int:
    return int(getattr(settings, "RUCHER_ESSENTIAL_ITEMS", 20))


HOME_STREAMS = ("latest", "essential")


def essential_items(person: Person) -> int:
    return person.essential_items if person.essential_items else organisation_items()


def opens_on_essential(person: Person) -> bool:
    return person.home_stream == "essential"


def parse_items(value: Any) -> int:
    """A number of Essentiel items (1–50), or ``Invalid`` with the reason."""
    if isinstance(value, bool):
        raise Invalid(_("limit must be a whole number"))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(_("limit must be a whole number")) from None
    if not 1 <= number <= MAX_ESSENTIAL_ITEMS:
        raise Invalid(_("limit must be between 1 and %(max)s") % {"max": MAX_ESSENTIAL_ITEMS})
    return number


def choose_reading(person: Person, *, home: Any = None, essential_items: Any = None) -> Person:
    """Change what is given (None: unchanged); everything is checked before anything is
    written. ``essential_items`` "" or "default" goes back to the organisation's number."""
    fields: dict[str, Any] = {}
    if home is not None:
        if home not in HOME_STREAMS:
            raise Invalid(
                _("the first stream is one of: %(choices)s") % {"choices": ", ".join(HOME_STREAMS)}
            )
        fields["home_stream"] = home
    if essential_items is not None:
        default = essential_items in ("", "default")
        fields["essential_items"] = None if default else parse_items(essential_items)
    if fields:
        Person.objects.filter(pk=person.pk).update(**fields)
        for name, value in fields.items():
            setattr(person, name, value)
    return person

"""The charter gate: a person's first contribution waits for their acceptance of the current
charter of their audience. ``conversations.actions.common.create_content`` (where every post,
question, poll, comment, answer and share is written) calls ``require_accepted``.

One query per write at most: the newest version of the person's audience with an EXISTS of
their acceptance. A passed check is remembered on the person object, which lives as long as
the request (web and API both load the person per request), so a second write in the same
request, or a write right after accepting, costs nothing. A failed check is not remembered.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from rucher.charter.models import Audience, CharterAcceptance, CharterVersion

PASSED = "_rucher_charter_passed"  # set on the person object for the rest of the request

API_READ = "/api/v1/charter"
API_ACCEPT = "/api/v1/charter/accept"


class CharterRequired(Exception):
    """The person must accept ``version`` before contributing.

    Not an ``ActionError`` on purpose: the web views turn those into form errors, while this
    one goes up to ``rucher.web.charter`` (which shows the charter and keeps the person's text)
    and to the API's handler (a 403 naming where to accept)."""

    status = 403

    def __init__(self, version: CharterVersion) -> None:
        self.version = version
        self.message = _(
            "accept the charter (version %(number)s) before your first contribution: "
            "read it with GET %(read)s, accept it with POST %(accept)s"
        ) % {"number": version.number, "read": API_READ, "accept": API_ACCEPT}
        super().__init__(self.message)


def audience_of(person: Any) -> str:
    return Audience.PARTNERS if person.is_guest else Audience.MEMBERS


def mark_passed(person: Any) -> None:
    setattr(person, PASSED, True)


def require_accepted(person: Any) -> None:
    """Raise ``CharterRequired`` unless the person accepted the current version of their
    audience's charter (or no charter is published for it)."""
    if getattr(person, PASSED, False):
        return
    newest = (
        CharterVersion.objects.filter(audience=audience_of(person))
        .annotate(
            accepted=Exists(
                CharterAcceptance.objects.filter(version=OuterRef("pk"), person_id=person.pk)
            )
        )
        .order_by("-number")
        .first()
    )
    if newest is not None and not newest.accepted:
        raise CharterRequired(newest)
    mark_passed(person)

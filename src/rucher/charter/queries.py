"""Reading the charter and the space rules (for the web pages and the API)."""

from __future__ import annotations

from typing import Any

from rucher.charter.gate import audience_of
from rucher.charter.models import CharterAcceptance, CharterVersion, SpaceRules


def current_version(audience: str) -> CharterVersion | None:
    return CharterVersion.objects.filter(audience=audience).order_by("-number").first()


def current_for(person: Any) -> CharterVersion | None:
    """The charter this person accepts (members' or partner guests')."""
    return current_version(audience_of(person))


def acceptance(person: Any, version: CharterVersion | None) -> CharterAcceptance | None:
    if version is None:
        return None
    return CharterAcceptance.objects.filter(person_id=person.pk, version=version).first()


def versions(audience: str) -> list[CharterVersion]:
    return list(
        CharterVersion.objects.filter(audience=audience)
        .select_related("published_by")
        .order_by("-number")
    )


def rules_of(space_id: int) -> SpaceRules | None:
    return SpaceRules.objects.filter(space_id=space_id).first()

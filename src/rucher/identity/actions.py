"""The one write of single sign-on: a verified provider answer becomes a signed-in person.

``sign_in_with`` links the provider's subject to a person (once: afterwards the subject alone
finds them), by a verified e-mail address when the organisation allows it, creates the account
at the first sign-in when it allows that, applies the group mapping (department, account kind,
spaces), and appends ONE ``logged_in`` event. The audit trail's ``signed_in`` entry is written
by people/signals.py when the web transport signs the person in, as for local passwords.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.errors import Forbidden, Invalid
from rucher.identity.claims import ExternalClaims
from rucher.identity.models import ExternalIdentity
from rucher.people.models import Department, Person
from rucher.spaces.models import Membership, Space

KINDS = {choice.value for choice in Person.Kind}


class SignInRefused(Forbidden):
    """The provider vouched for someone rucher will not sign in (no account, deactivated)."""


def _username_for(claims: ExternalClaims) -> str:
    """A free username from the provider's preferred username or the e-mail's local part."""
    base = claims.preferred_username or claims.email.partition("@")[0] or claims.subject
    ascii_only = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^\w.@+-]", "", ascii_only).lower()[:140] or "membre"
    candidate, number = base, 1
    while Person.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate


def _create_person(claims: ExternalClaims) -> Person:
    person = Person(
        username=_username_for(claims),
        email=claims.email if claims.email_verified else "",
        first_name=claims.given_name[:150],
        last_name=claims.family_name[:150],
    )
    person.set_unusable_password()  # signs in through the provider only
    person.save()
    return person


def _linked_person(claims: ExternalClaims) -> tuple[Person, ExternalIdentity]:
    link = (
        ExternalIdentity.objects.select_related("person")
        .filter(issuer=claims.issuer, subject=claims.subject)
        .first()
    )
    if link is not None:
        return link.person, link
    person = None
    if settings.RUCHER_SSO_LINK_BY_EMAIL and claims.email and claims.email_verified:
        matches = list(Person.objects.filter(email__iexact=claims.email)[:2])
        if len(matches) > 1:
            raise SignInRefused(
                _(
                    "Several rucher accounts use the address %(email)s: an administrator must "
                    "link yours by hand."
                )
                % {"email": claims.email}
            )
        person = matches[0] if matches else None
    if person is None:
        if not settings.RUCHER_SSO_CREATE_ACCOUNTS:
            raise SignInRefused(
                _(
                    "Your identity provider knows you, but you have no rucher account yet and "
                    "your organisation does not create them at the first sign-in. Ask an "
                    "administrator to create yours."
                )
            )
        person = _create_person(claims)
    link = ExternalIdentity.objects.create(
        issuer=claims.issuer, subject=claims.subject, person=person, protocol=claims.protocol
    )
    return person, link


def _apply_groups(person: Person, groups: tuple[str, ...]) -> None:
    """The organisation's mapping (``RUCHER_SSO_GROUP_MAP``): the first mapped group that names
    a department (or a kind) sets it; every mapped group's spaces are joined. Groups not in the
    mapping change nothing; a space named in the mapping and gone is skipped."""
    rules = [settings.RUCHER_SSO_GROUP_MAP[g] for g in groups if g in settings.RUCHER_SSO_GROUP_MAP]
    changed: list[str] = []
    department = next((rule["department"] for rule in rules if rule.get("department")), None)
    if department:
        found, _created = Department.objects.get_or_create(name=str(department)[:120])
        if person.department_id != found.pk:
            person.department = found
            changed.append("department")
    kind = next((rule["kind"] for rule in rules if rule.get("kind") in KINDS), None)
    if kind and person.kind != kind:
        person.kind = kind
        changed.append("kind")
    if changed:
        person.save(update_fields=changed)
    slugs = {str(slug) for rule in rules for slug in rule.get("spaces", [])}
    if not slugs:
        return
    member_of = set(
        Membership.objects.filter(person=person, space__slug__in=slugs).values_list(
            "space__slug", flat=True
        )
    )
    for space in Space.objects.filter(slug__in=slugs - member_of):
        # Given by the directory, as an administrator would: active at once.
        Membership.objects.create(space=space, person=person)
        Space.objects.filter(pk=space.pk).update(member_count=F("member_count") + 1)


@transaction.atomic
def sign_in_with(claims: ExternalClaims) -> Person:
    """The person the verified ``claims`` stand for, linked, created and mapped as the
    organisation configured; refused (``SignInRefused``) when it may not sign in."""
    if not claims.issuer or not claims.subject:
        raise Invalid(_("The identity provider's answer names no one."))
    if len(claims.issuer) > 500 or len(claims.subject) > 255:
        raise Invalid(_("The identity provider's answer is too long to be a name."))
    person, link = _linked_person(claims)
    if not person.is_active or person.left_at is not None:
        raise SignInRefused(_("This account is deactivated: ask an administrator."))
    _apply_groups(person, claims.groups)
    link.last_sign_in_at = timezone.now()
    link.save(update_fields=["last_sign_in_at"])
    record(person, "logged_in", "person", person.pk)
    # people/signals.py: the event is written here; the sign-in adds only the audit entry.
    person.sign_in_method = claims.protocol  # type: ignore[attr-defined]
    return person

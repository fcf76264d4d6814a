"""The writes of identity: single sign-on (a verified provider answer becomes a signed-in
person) and the member's second factor (turn it on, off, new recovery codes).

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
from django_otp.plugins.otp_totp.models import TOTPDevice

from rucher.activity.actions import record
from rucher.audit.trail import append as audit
from rucher.errors import Conflict, Forbidden, Invalid
from rucher.identity import two_factor
from rucher.identity.claims import ExternalClaims
from rucher.identity.models import ExternalIdentity, GroupGrant, RecoveryCode
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
    _take_back_grants(person, slugs)
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
        GroupGrant.objects.get_or_create(person=person, space=space)
        Space.objects.filter(pk=space.pk).update(member_count=F("member_count") + 1)


def _take_back_grants(person: Person, slugs: set[str]) -> None:
    """The person left a mapped group at the provider: the spaces only that group gave them
    are left (plain memberships only: someone made owner or moderator since keeps the role,
    a space manager's decision). No mapping at all: nothing is taken back (and no query)."""
    if not settings.RUCHER_SSO_GROUP_MAP:
        return
    gone = list(GroupGrant.objects.filter(person=person).exclude(space__slug__in=slugs))
    if not gone:
        return
    space_ids = [grant.space_id for grant in gone]
    left = Membership.objects.filter(
        person=person, space_id__in=space_ids, role=Membership.Role.MEMBER
    )
    for space_id in left.values_list("space_id", flat=True):
        Space.objects.filter(pk=space_id).update(member_count=F("member_count") - 1)
    left.delete()
    GroupGrant.objects.filter(pk__in=[grant.pk for grant in gone]).delete()


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


def _store_recovery_codes(person: Person) -> list[str]:
    codes = two_factor.new_recovery_codes()
    RecoveryCode.objects.filter(person=person).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(person=person, digest=two_factor.digest(code)) for code in codes
    )
    return [two_factor.shown(code) for code in codes]


def _require_local_account(person: Person) -> None:
    if not person.is_active:
        raise Forbidden(_("This account is deactivated."))


@transaction.atomic
def enable_two_factor(person: Person, secret: str, code: str, address: str = "") -> list[str]:
    """Turn the second factor on with the authenticator that shows ``code`` for ``secret``
    (the secret the enrolment page drew as a QR code). Returns the recovery codes, to be shown
    once: only their hashes are kept."""
    _require_local_account(person)
    if two_factor.device_of(person) is not None:
        raise Conflict(_("Two-factor sign-in is already on."))
    if len(secret) != 40 or any(c not in "0123456789abcdef" for c in secret):
        raise Invalid(_("The enrolment expired: start again."))
    step = two_factor.totp_step(secret, code)
    if step is None:
        raise Invalid(
            _("That code does not match: type the 6 digits your app shows now, without spaces.")
        )
    TOTPDevice.objects.filter(user=person).delete()
    # last_t: the code just typed cannot sign anyone in a second time.
    TOTPDevice.objects.create(
        user=person, name=two_factor.DEVICE_NAME, key=secret, confirmed=True, last_t=step
    )
    codes = _store_recovery_codes(person)
    audit(
        "two_factor_enabled",
        actor=person,
        object_type="person",
        object_id=person.pk,
        address=address or None,
    )
    record(person, "enabled_two_factor", "person", person.pk)
    return codes


def _wrong_code() -> Invalid:
    return Invalid(_("That code does not match: type the 6 digits your app shows now."))


def disable_two_factor(person: Person, code: str, address: str = "") -> None:
    """Turn the second factor off (a current code or a recovery code proves it is them). An
    administrator of an organisation that requires it cannot."""
    if two_factor.device_of(person) is None:
        raise Conflict(_("Two-factor sign-in is not on."))
    if two_factor.required_for(person):
        raise Forbidden(_("Your organisation requires two-factor sign-in for your account."))
    # A current code (or a recovery code) proves it is them, as at sign-in: a session left
    # open is not enough. A wrong one is written (throttle, audit) and then refused, outside
    # the block; a right one is spent with the rest, or not at all.
    with transaction.atomic():
        if not two_factor.check_code(person, code, address or None).passed:
            passed = False
        else:
            passed = True
            TOTPDevice.objects.filter(user=person).delete()
            RecoveryCode.objects.filter(person=person).delete()
            audit(
                "two_factor_disabled",
                actor=person,
                object_type="person",
                object_id=person.pk,
                address=address or None,
            )
            record(person, "disabled_two_factor", "person", person.pk)
    if not passed:
        raise _wrong_code()


def renew_recovery_codes(person: Person, code: str, address: str = "") -> list[str]:
    """New recovery codes (the old ones stop working), after a current code."""
    if two_factor.device_of(person) is None:
        raise Conflict(_("Two-factor sign-in is not on."))
    with transaction.atomic():
        if not two_factor.check_code(person, code, address or None).passed:
            codes = None
        else:
            codes = _store_recovery_codes(person)
            audit(
                "two_factor_codes_renewed",
                actor=person,
                object_type="person",
                object_id=person.pk,
                address=address or None,
            )
            record(person, "renewed_recovery_codes", "person", person.pk)
    if codes is None:
        raise _wrong_code()
    return codes

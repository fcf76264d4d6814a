"""Accounts as the directory sees them: created, changed, deactivated and reactivated by the
organisation (SCIM provisioning, the directory CSV import), one event each, audited.

Deactivating signs the person out everywhere (every session ends, every token is revoked) in
the same transaction; their content stays. Nothing here deletes a person: the directory's
"delete" is a deactivation, so contributions keep their author.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.errors import Conflict, Invalid
from rucher.people.models import AccessToken, Department, Person, SessionRecord
from rucher.text import clean

# What the directory may set on an account, with the longest value each field holds.
ACCOUNT_LIMITS = {
    "username": 150,
    "first_name": 150,
    "last_name": 150,
    "email": 254,
    "job_title": 120,
}
ACCOUNT_FIELDS = frozenset({*ACCOUNT_LIMITS, "department", "kind"})
# The directory manages employees and partner guests; it never makes an administrator or a
# community manager (those are granted in rucher, by a person, and audited as such).
DIRECTORY_KINDS = (Person.Kind.EMPLOYEE, Person.Kind.PARTNER)


def _text(field: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(_("%(field)s must be text") % {"field": field})
    if not value.strip():
        return ""  # the directory clears a field
    return clean(value, ACCOUNT_LIMITS[field], field).strip()


def _apply(person: Person, fields: dict[str, Any]) -> None:
    unknown = set(fields) - ACCOUNT_FIELDS
    if unknown:
        raise Invalid(
            _("unknown account field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    for field in ACCOUNT_LIMITS:
        if field in fields:
            setattr(person, field, _text(field, fields[field]))
    if "username" in fields:
        if not person.username:
            raise Invalid(_("a user name is required"))
        try:
            UnicodeUsernameValidator()(person.username)
        except ValidationError:
            raise Invalid(
                _("%(name)s is not a valid user name (letters, digits and @ . + - _ only)")
                % {"name": person.username}
            ) from None
        taken = Person.objects.filter(username__iexact=person.username).exclude(pk=person.pk)
        if taken.exists():
            raise Conflict(_("the user name %(name)s is taken") % {"name": person.username})
    if fields.get("email"):
        try:
            validate_email(person.email)
        except ValidationError:
            raise Invalid(
                _("%(email)s is not an e-mail address") % {"email": person.email}
            ) from None
    if "department" in fields:
        department = fields["department"]
        if department is not None and not isinstance(department, Department):
            raise Invalid(_("the department must be one of the organisation's list"))
        person.department = department
    if "kind" in fields:
        if fields["kind"] not in DIRECTORY_KINDS:
            raise Invalid(_("the directory manages employees and partner guests only"))
        person.kind = fields["kind"]


@transaction.atomic
def create_account(actor: Person, active: bool = True, **fields: Any) -> Person:
    """A new account (``actor``: the administrator the directory acts for). Fields:
    username (required), first_name, last_name, email, job_title, department (a Department
    or None), kind (employee or partner). It has no
    password: its holder signs in through the organisation's identity provider, or an
    administrator sets one."""
    person = Person(kind=Person.Kind.EMPLOYEE, is_active=active)
    _apply(person, {"username": fields.pop("username", None), **fields})
    person.set_unusable_password()
    person.save()
    record(actor, "created_account", "person", person.pk, target_id=person.pk)
    return person


@transaction.atomic
def change_account(
    actor: Person, person: Person, active: bool | None = None, **fields: Any
) -> Person:
    """Change what the directory holds about an account (same fields as ``create_account``).
    ``active`` False deactivates it too, True reactivates it: the one event is then named for
    that, the weightier change."""
    if person.kind not in DIRECTORY_KINDS:
        raise Conflict(_("administrators and community managers are managed in rucher"))
    _apply(person, fields)
    verb = "changed_account"
    if active is False and person.is_active:
        verb = "deactivated_account"
        _sign_out_everywhere(person)
    elif active is True and not person.is_active:
        verb = "reactivated_account"
        person.is_active, person.left_at = True, None
    person.save()
    record(actor, verb, "person", person.pk, target_id=person.pk)
    return person


def end_sessions(person: Person) -> int:
    """Delete every browser session of the person (a helper of the actions that need it: it
    records nothing by itself). Returns how many ended."""
    keys = list(SessionRecord.objects.filter(person=person).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    SessionRecord.objects.filter(person=person).delete()
    return len(keys)


def _sign_out_everywhere(person: Person) -> None:
    """The person leaves: they can no longer sign in, every session they had ends and every
    token they held is revoked, at once. Their content stays, with their name."""
    now = timezone.now()
    person.is_active = False
    person.left_at = person.left_at or now
    AccessToken.objects.filter(person=person, revoked_at__isnull=True).update(revoked_at=now)
    end_sessions(person)


def deactivate_account(actor: Person, person: Person) -> Person:
    """Deactivate (``change_account`` with ``active=False``). Revoked tokens stay revoked
    if the account comes back."""
    return change_account(actor, person, active=False)


def reactivate_account(actor: Person, person: Person) -> Person:
    return change_account(actor, person, active=True)

"""Contacts: a person keeps colleagues they may see at hand (the directory's favourites)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.errors import Conflict, Invalid, NotFound
from rucher.people.models import Person
from rucher.spaces import permissions


@transaction.atomic
def add_contact(person: Person, other: Person) -> None:
    if other.pk == person.pk:
        raise Invalid(_("you are already your own contact"))
    if not permissions.visible_people(person).filter(pk=other.pk).exists():
        raise NotFound(_("person not found"))
    if person.favourites.filter(pk=other.pk).exists():
        raise Conflict(_("already in your contacts"))
    person.favourites.add(other)
    record(person, "added_contact", "person", other.pk, target_id=other.pk)


@transaction.atomic
def remove_contact(person: Person, other: Person) -> None:
    if not person.favourites.filter(pk=other.pk).exists():
        raise NotFound(_("not in your contacts"))
    person.favourites.remove(other)
    record(person, "removed_contact", "person", other.pk, target_id=other.pk)

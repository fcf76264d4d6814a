"""Write paths for personal data: privacy settings, export requests, erasure, retention rules.

Each validates, checks who may, writes in one transaction and appends exactly one event
(docs/architecture.md, "Three doors"). The heavy parts run after commit: the export's zip is
built by the worker (``privacy.tasks.build_export``), the retention rules are applied daily
(``privacy.retention``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.audit.trail import append
from rucher.conversations.models import Content
from rucher.errors import Conflict, Forbidden, Invalid
from rucher.people.models import Person
from rucher.privacy import erasure
from rucher.privacy.models import (
    PROFILE_FIELDS,
    Audience,
    DataExport,
    PrivacySettings,
    SpaceRetention,
)
from rucher.privacy.tasks import build_export
from rucher.search import indexing as search_index
from rucher.spaces.models import Space

MAX_RETENTION_MONTHS = 1200
EXPORT_COOLDOWN = timedelta(minutes=10)


def _is_admin(person: Any) -> bool:
    return bool(
        getattr(person, "is_authenticated", False)
        and person.is_active
        and (person.kind == Person.Kind.ADMIN or person.is_superuser)
    )


@transaction.atomic
def update_privacy(person: Person, **choices: Any) -> PrivacySettings:
    """Choices: ``fields`` ({field: audience}), ``activity`` (an audience),
    ``listed_to_partners`` (bool). Unknown fields or audiences are an error."""
    unknown = set(choices) - {"fields", "activity", "listed_to_partners"}
    if unknown:
        raise Invalid(
            _("unknown privacy setting(s): %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    audiences = set(Audience.values)
    row, _created = PrivacySettings.objects.select_for_update().get_or_create(person=person)
    if "fields" in choices:
        fields = choices["fields"]
        if not isinstance(fields, dict):
            raise Invalid(_("fields is a mapping of profile field to audience"))
        wrong = sorted(set(fields) - set(PROFILE_FIELDS))
        if wrong:
            raise Invalid(_("unknown profile field(s): %(fields)s") % {"fields": ", ".join(wrong)})
        for audience in fields.values():
            if audience not in audiences:
                raise Invalid(_("%(value)s is not an audience") % {"value": str(audience)[:40]})
        row.fields = {**row.fields, **fields}
    if "activity" in choices:
        if choices["activity"] not in audiences:
            raise Invalid(
                _("%(value)s is not an audience") % {"value": str(choices["activity"])[:40]}
            )
        row.activity = choices["activity"]
    if "listed_to_partners" in choices:
        if not isinstance(choices["listed_to_partners"], bool):
            raise Invalid(_("listed_to_partners is true or false"))
        row.listed_to_partners = choices["listed_to_partners"]
    row.save()
    record(person, "changed_privacy", "person", person.pk)
    return row


@transaction.atomic
def request_export(person: Person) -> DataExport:
    """Ask for a download of one's data; the worker builds it after commit. One at a time:
    a request while another is being prepared, or within minutes of the last, is refused."""
    if not person.is_active or person.is_erased:
        raise Forbidden(_("this account cannot export data"))
    recent = DataExport.objects.filter(person=person).filter(
        Q(status=DataExport.Status.PENDING) | Q(requested_at__gt=timezone.now() - EXPORT_COOLDOWN)
    )
    if recent.exists():
        raise Conflict(_("an export was asked for a few minutes ago: wait for it to be ready"))
    export = DataExport.objects.create(person=person)
    append("requested_export", actor=person, object_type="export", object_id=export.pk)
    record(person, "requested_export", "person", person.pk)
    transaction.on_commit(lambda: build_export.enqueue(export.pk), robust=True)
    return export


def _other_admins(person: Person) -> bool:
    return (
        Person.objects.filter(is_active=True)
        .filter(Q(kind=Person.Kind.ADMIN) | Q(is_superuser=True))
        .exclude(pk=person.pk)
        .exists()
    )


@transaction.atomic
def erase_person(
    requester: Person | None, person: Person, *, confirm: str = "", operator: str = ""
) -> Person:
    """Erase ``person``: by themselves, by an administrator, or (``requester`` None) by the
    server's operator on the command line, named by ``operator``. ``confirm`` must be their
    username. Returns the pseudonymous account that keeps what the organisation keeps."""
    if requester is not None and requester.pk != person.pk and not _is_admin(requester):
        raise Forbidden(_("only the member or an administrator may erase an account"))
    if person.is_erased:
        raise Conflict(_("this account is erased already"))
    if confirm != person.username:
        raise Invalid(_("type the username to confirm the erasure"))
    if (person.kind == Person.Kind.ADMIN or person.is_superuser) and not _other_admins(person):
        raise Conflict(
            _("%(name)s is the last administrator: name another one before erasing this account")
            % {"name": person.username}
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    old_id = person.pk
    by_self = requester is not None and requester.pk == person.pk
    pseudonym = erasure.make_pseudonym(person)
    files = erasure.files_of(person)
    mode = erasure.content_mode()
    # The search index holds names (the person's entry, their items' author, mentions in
    # others' texts): what changes here is indexed again below, in the same transaction.
    touched = set(
        Content.objects.filter(
            Q(author=person) | Q(mentions=person) | Q(text__icontains=f"@{person.username}")
        ).values_list("pk", flat=True)
    )
    erasure.remove_mentions(person)
    if mode == "erase":
        files += erasure.erase_content(person)
        files += erasure.erase_messages(person)
    erasure.hand_over(person, pseudonym)
    erasure.forget_traces(person)
    tags = erasure.tags_of(person)
    person.delete()
    erasure.drop_orphan_tags(tags)
    erasure.remove_files_after_commit(files)
    search_index.refresh_people([old_id, pseudonym.pk])
    search_index.refresh_content(sorted(touched))
    # The audit trail refers to people by id: it says that account #id was erased, by whom,
    # and never names them (nor links them to the pseudonym).
    by = "self" if by_self else ("administrator" if requester is not None else "operator")
    append(
        "erased_person",
        actor_id=requester.pk if requester is not None and not by_self else None,
        actor_label=operator if requester is None else "",
        object_type="person",
        object_id=old_id,
        detail={"content": mode, "by": by},
    )
    # The event log's actor is a foreign key: the member's own erasure (or the operator's)
    # is the pseudonym's, which says nothing of who they were.
    record(
        requester if requester is not None and not by_self else pseudonym, "erased_person", "person"
    )
    return pseudonym


@transaction.atomic
def set_retention(
    admin: Person, space: Space, *, months: int | None, legal_hold: bool
) -> SpaceRetention:
    """A space's retention rule: delete content older than ``months`` (None: keep it for
    ever); ``legal_hold`` suspends deletion."""
    if not _is_admin(admin):
        raise Forbidden(_("only administrators set retention rules"))
    if months is not None and (
        isinstance(months, bool)
        or not isinstance(months, int)
        or not 1 <= months <= MAX_RETENTION_MONTHS
    ):
        raise Invalid(
            _("months is a whole number from 1 to %(max)s") % {"max": MAX_RETENTION_MONTHS}
        )
    rule, _created = SpaceRetention.objects.update_or_create(
        space=space, defaults={"months": months, "legal_hold": bool(legal_hold), "set_by": admin}
    )
    record(admin, "changed_retention", "space", space.pk, space_id=space.pk)
    return rule

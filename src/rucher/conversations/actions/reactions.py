"""Reactions: react, change one's reaction, take it back; counts kept on the content row."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.conversations.actions.common import readable
from rucher.conversations.models import Content, Reaction
from rucher.errors import Conflict, Forbidden, Invalid, NotFound
from rucher.people.models import Person
from rucher.spaces import permissions


def _recount_reactions(content_id: int) -> None:
    """The content's total and per-kind reaction counts, from the reactions themselves."""
    counts = dict(
        Reaction.objects.filter(content_id=content_id)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    Content.objects.filter(pk=content_id).update(
        reaction_count=sum(counts.values()), reaction_counts=counts
    )


def _lock_counts(content: Content) -> None:
    """Serialise reactions to one content, so each recount sees the others' rows (a no-op on
    SQLite, whose write transactions are already serial)."""
    Content.objects.select_for_update().filter(pk=content.pk).values_list("pk").first()


@transaction.atomic
def react(person: Person, content: Content, kind: object) -> Reaction:
    if kind not in Reaction.Kind.values:
        raise Invalid(
            _("reaction must be one of %(choices)s") % {"choices": ", ".join(Reaction.Kind.values)}
        )
    content = readable(person, content)
    if not permissions.can_react(person, content):
        raise Forbidden(
            permissions.refusal(person, content.space, _("join this space to react in it"))
        )
    _lock_counts(content)
    existing = Reaction.objects.filter(content=content, person=person).first()
    if existing is not None and existing.kind == kind:
        raise Conflict(_("you already reacted this way"))
    if existing is not None:
        existing.kind = str(kind)
        existing.save(update_fields=["kind"])
        reaction = existing
    else:
        reaction = Reaction.objects.create(
            content=content, person=person, kind=str(kind), created_at=timezone.now()
        )
    _recount_reactions(content.pk)
    record(
        person,
        "reacted",
        content.kind,
        content.pk,
        space_id=content.space_id,
        target_id=content.author_id,
        value=1.0,
    )
    return reaction


@transaction.atomic
def unreact(person: Person, content: Content) -> None:
    content = readable(person, content)
    _lock_counts(content)
    deleted, _count = Reaction.objects.filter(content=content, person=person).delete()
    if not deleted:
        raise NotFound(_("no reaction to remove"))
    _recount_reactions(content.pk)
    # An event like every other change a stream shows: it renews the cached pages' counts.
    record(
        person,
        "unreacted",
        content.kind,
        content.pk,
        space_id=content.space_id,
        target_id=content.author_id,
    )


def toggle_reaction(person: Person, content: Content, kind: str) -> Reaction | None:
    """What a click on a reaction button means: the same reaction again takes it back."""
    existing = Reaction.objects.filter(content_id=content.pk, person=person).first()
    if existing is not None and existing.kind == kind:
        unreact(person, content)
        return None
    return react(person, content, kind)

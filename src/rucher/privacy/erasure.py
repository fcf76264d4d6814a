"""What erasing a member does to the rows (the action is ``privacy.actions.erase_person``).

The member's account row is deleted. What the organisation keeps (their content, by default,
and the events the insights count) moves first to a new account with a random name
(``former-member-…``, shown as "former member"): nothing links it to the person any more, the
old id is gone from every table but the audit trail, and the audit trail never named them
(it refers to people by id; docs/privacy.md, "The audit trail").
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext

from rucher.activity.models import Event
from rucher.conversations.models import Attachment, Content, Revision
from rucher.messaging.models import Message, MessageAttachment, MessageReaction
from rucher.people.models import ERASED_PREFIX, Person, SignInFailure, Tag
from rucher.privacy.models import DataExport
from rucher.webhooks.models import Delivery

# Foreign keys to a person whose rows outlive the member, handed to the pseudonym; every other
# one follows its ``on_delete`` (a member's reactions, votes, memberships, follows,
# notifications, tokens, settings go with them).
KEPT = {
    "conversations.Content.author",
    "conversations.Content.deleted_by",
    "conversations.Revision.edited_by",
    "spaces.ConfidentialRead.person",
    "spaces.Space.created_by",
    "moderation.FlaggedItem.author",
    "moderation.Flag.flagger",
    "moderation.ModerationDecision.moderator",
    "moderation.ModerationDecision.author",
    # Direct messages stay in their conversations for the other participants, written by
    # "former member" (``erase`` mode empties them first: ``erase_messages``). The member's
    # participation, read marks and reactions go with them.
    "messaging.Message.author",
    # Kudos the member gave stay on their recipients' profiles, from "former member"
    # (kudos received and badges go with the member: docs/recognition.md).
    "recognition.Kudos.giver",
}
CONTENT_MODES = ("keep", "erase")


def content_mode() -> str:
    """The organisation's choice for an erased member's content: ``keep`` (the default:
    attributed to "former member") or ``erase`` (text, revisions and attachments removed,
    the item stays as a placeholder so others' replies keep their thread)."""
    mode = getattr(settings, "RUCHER_ERASURE_CONTENT", "keep")
    return mode if mode in CONTENT_MODES else "keep"


def person_links() -> Iterable[models.ForeignKey]:
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey)
                and field.related_model is Person
                and not field.auto_created
            ):
                yield field


def make_pseudonym(person: Person) -> Person:
    pseudonym = Person(
        username=f"{ERASED_PREFIX}{secrets.token_hex(8)}",
        kind=person.kind if person.kind != Person.Kind.ADMIN else Person.Kind.EMPLOYEE,
        organisation=person.organisation,
        is_active=False,
    )
    pseudonym.set_unusable_password()
    pseudonym.save()
    return pseudonym


def former_member_words() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("former member")


def _mention_pattern(username: str) -> re.Pattern[str]:
    name = re.escape(username)
    return re.compile(rf"<a[^>]*/people/@{name}/[^>]*>@{name}</a>|@{name}(?![\w.-])", re.IGNORECASE)


def remove_mentions(person: Person) -> None:
    """Others' content and revisions that mention the member name them no more."""
    pattern = _mention_pattern(person.username)
    words = former_member_words()
    needle = f"@{person.username}"
    mentioned = Content.objects.filter(
        Q(mentions=person) | Q(text__icontains=needle) | Q(html__icontains=needle)
    ).distinct()
    for item in mentioned.only("pk", "text", "html"):
        Content.objects.filter(pk=item.pk).update(
            text=pattern.sub(words, item.text), html=pattern.sub(words, item.html)
        )
    for revision in Revision.objects.filter(
        Q(text__icontains=needle) | Q(html__icontains=needle)
    ).only("pk", "text", "html"):
        Revision.objects.filter(pk=revision.pk).update(
            text=pattern.sub(words, revision.text), html=pattern.sub(words, revision.html)
        )
    Content.mentions.through.objects.filter(person_id=person.pk).delete()
    for message in (
        Message.objects.filter(
            Q(mentions=person) | Q(text__icontains=needle) | Q(html__icontains=needle)
        )
        .distinct()
        .only("pk", "text", "html")
    ):
        Message.objects.filter(pk=message.pk).update(
            text=pattern.sub(words, message.text), html=pattern.sub(words, message.html)
        )
    Message.mentions.through.objects.filter(person_id=person.pk).delete()


def erase_content(person: Person) -> list[str]:
    """``erase`` mode: the member's items keep their place, not their words; returns the
    attachment files to remove once the transaction commits."""
    own = Content.objects.filter(author=person)
    Revision.objects.filter(content__in=own).delete()
    attachments = Attachment.objects.filter(content__in=own)
    files = [a.file.name for a in attachments if a.file]
    attachments.delete()
    own.update(text="", html="", status=Content.Status.DELETED, sensitive={}, lang="")
    return files


def erase_messages(person: Person) -> list[str]:
    """``erase`` mode: the member's direct messages keep their place in the others' threads
    ("message removed"), not their words nor files; the files to remove after the commit."""
    own = Message.objects.filter(author=person)
    attachments = MessageAttachment.objects.filter(message__in=own)
    files = [a.file.name for a in attachments if a.file]
    attachments.delete()
    MessageReaction.objects.filter(message__in=own).delete()
    own.update(text="", html="", reaction_counts={})
    return files


def hand_over(person: Person, pseudonym: Person) -> None:
    for field in person_links():
        label = f"{field.model._meta.label}.{field.name}"
        if label in KEPT:
            field.model._default_manager.filter(**{field.name: person}).update(
                **{field.name: pseudonym}
            )
    # The event log: plain ids, so each column is moved by hand.
    Event.objects.filter(actor_id=person.pk).update(actor_id=pseudonym.pk)
    Event.objects.filter(target_id=person.pk).update(target_id=pseudonym.pk)
    Event.objects.filter(object_type="person", object_id=person.pk).update(object_id=pseudonym.pk)


def forget_traces(person: Person) -> None:
    """Rows that name the member without a foreign key: sessions, sign-in counters, the
    admin's change log about them, webhook deliveries that carried their name."""
    mine = []
    for session in Session.objects.all().iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk):
            mine.append(session.session_key)
    Session.objects.filter(session_key__in=mine).delete()
    SignInFailure.objects.filter(key=f"u:{person.username.lower()[:150]}").delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
    ).delete()
    identifiers = [value for value in (person.username, person.email) if value]
    if identifiers:
        carried = Q()
        for value in identifiers:
            carried |= Q(as_text__icontains=value)
        Delivery.objects.annotate(as_text=Cast("payload", models.TextField())).filter(
            carried
        ).delete()


def tags_of(person: Person) -> set[int]:
    return set(person.skills.values_list("pk", flat=True)) | set(
        person.expertise.values_list("pk", flat=True)
    )


def drop_orphan_tags(tag_ids: set[int]) -> None:
    """Tags only the member used (a skill they named) go with them: the vocabulary is shared,
    but a word nobody else holds describes them."""
    used = set(
        Person.skills.through.objects.filter(tag_id__in=tag_ids).values_list("tag_id", flat=True)
    ) | set(
        Person.expertise.through.objects.filter(tag_id__in=tag_ids).values_list("tag_id", flat=True)
    )
    Tag.objects.filter(pk__in=tag_ids - used).delete()


def files_of(person: Person) -> list[str]:
    names = [export.file.name for export in DataExport.objects.filter(person=person) if export.file]
    if person.photo:
        names.append(person.photo.name)
    return names


def remove_files_after_commit(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    if names:
        transaction.on_commit(remove)

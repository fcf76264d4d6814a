"""Follow, mute and hide: the reader's control over their stream."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.conversations.models import Topic
from rucher.conversations.topics import normalise_topic
from rucher.errors import Conflict, Invalid, NotFound
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.streams.models import Follow, HideRule, Mute, TargetType
from rucher.text import is_blank, require, strip


def resolve_target(person: Person, target_type: str, target: object) -> int:
    """The id of a person, space or topic this person may see (topics by name or id)."""
    if target_type == TargetType.PERSON:
        return permissions.get_visible_person(person, str(target)).pk
    if target_type == TargetType.SPACE:
        return permissions.get_visible_space(person, str(target)).pk
    if target_type == TargetType.TOPIC:
        topic, _created = Topic.objects.get_or_create(name=normalise_topic(target))
        return topic.pk
    raise Invalid(_("follow a person, a space or a topic"))


@transaction.atomic
def follow(person: Person, target_type: str, target: object) -> Follow:
    target_id = resolve_target(person, target_type, target)
    if target_type == TargetType.PERSON and target_id == person.pk:
        raise Invalid(_("you cannot follow yourself"))
    try:
        with transaction.atomic():
            row = Follow.objects.create(
                follower=person, target_type=target_type, target_id=target_id
            )
    except IntegrityError:
        raise Conflict(_("already followed")) from None
    record(
        person,
        "followed",
        target_type,
        target_id,
        target_id=target_id if target_type == TargetType.PERSON else None,
    )
    return row


@transaction.atomic
def unfollow(person: Person, target_type: str, target: object) -> None:
    target_id = resolve_target(person, target_type, target)
    deleted, _count = Follow.objects.filter(
        follower=person, target_type=target_type, target_id=target_id
    ).delete()
    if not deleted:
        raise NotFound(_("not followed"))
    record(
        person,
        "unfollowed",
        target_type,
        target_id,
        target_id=target_id if target_type == TargetType.PERSON else None,
    )


@transaction.atomic
def mute(person: Person, target_type: str, target: object) -> Mute:
    target_id = resolve_target(person, target_type, target)
    row, created = Mute.objects.get_or_create(
        person=person, target_type=target_type, target_id=target_id
    )
    if not created:
        raise Conflict(_("already muted"))
    record(person, "muted", target_type, target_id)
    return row


@transaction.atomic
def unmute(person: Person, target_type: str, target: object) -> None:
    target_id = resolve_target(person, target_type, target)
    deleted, _count = Mute.objects.filter(
        person=person, target_type=target_type, target_id=target_id
    ).delete()
    if not deleted:
        raise NotFound(_("not muted"))
    record(person, "unmuted", target_type, target_id)


def normalise_tag(tag: object) -> str:
    if not isinstance(tag, str):
        raise Invalid(_("a tag is text"))
    name = strip(strip(require(tag, _("tag"))).strip("[]")).lower()
    if is_blank(name) or len(name) > 40:
        raise Invalid(_("a tag has 1 to 40 characters, e.g. [Sport]"))
    return name


@transaction.atomic
def hide_tag(person: Person, tag: object) -> HideRule:
    name = normalise_tag(tag)
    rule, created = HideRule.objects.get_or_create(person=person, tag=name)
    if not created:
        raise Conflict(_("this tag is already hidden"))
    record(person, "muted", "tag", None)  # hiding a [tag] is muting it
    return rule


@transaction.atomic
def show_tag(person: Person, tag: object) -> None:
    deleted, _count = HideRule.objects.filter(person=person, tag=normalise_tag(tag)).delete()
    if not deleted:
        raise NotFound(_("this tag is not hidden"))
    record(person, "unmuted", "tag", None)

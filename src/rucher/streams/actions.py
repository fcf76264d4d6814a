"""Follow, mute and hide: the reader's control over their stream; and the animators' pins at
the top of a space's Essentiel."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.conversations.models import Content, Topic
from rucher.conversations.queries import get_visible_content
from rucher.conversations.topics import normalise_topic
from rucher.errors import Conflict, Forbidden, Invalid, NotFound
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.streams.models import EssentialPin, Follow, HideRule, Mute, TargetType
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


PIN_DAYS = 7  # how long an item stays pinned unless said otherwise
MAX_PIN_DAYS = 30


def _pinnable(person: Person, content: Content) -> Content:
    """The conversation ``content`` opens, if ``person`` may pin it: a published root of a
    space they moderate (its managers, community-manager accounts: the animators)."""
    content = get_visible_content(person, content.pk)  # NotFound for what they may not read
    if content.parent_id is not None:
        raise Invalid(_("only a conversation can be pinned, not a reply"))
    if content.space is None:
        raise Invalid(_("only an item of a space can be pinned in its Essentiel"))
    if content.status != Content.Status.PUBLISHED:
        raise Conflict(_("only a published item can be pinned"))
    if not permissions.can_moderate(person, content.space):
        raise Forbidden(_("only the space's managers and community managers can pin"))
    return content


@transaction.atomic
def pin_to_essential(person: Person, content: Content, days: object = PIN_DAYS) -> EssentialPin:
    """Put ``content`` at the top of the Essentiel of its space's members for ``days`` (1 to
    ``MAX_PIN_DAYS``); pinning again sets a new end. Members see it at their next page
    (``streams.essential.with_rows``); the event renews every cached page."""
    if isinstance(days, bool) or not isinstance(days, int | str):
        raise Invalid(_("days: a whole number from 1 to %(n)d") % {"n": MAX_PIN_DAYS})
    try:
        span = int(days)
    except ValueError:
        raise Invalid(_("days: a whole number from 1 to %(n)d") % {"n": MAX_PIN_DAYS}) from None
    if not 1 <= span <= MAX_PIN_DAYS:
        raise Invalid(_("days: a whole number from 1 to %(n)d") % {"n": MAX_PIN_DAYS})
    content = _pinnable(person, content)
    assert content.space_id is not None
    pin, _created = EssentialPin.objects.update_or_create(
        content=content,
        defaults={
            "space_id": content.space_id,
            "pinned_by": person,
            "until": timezone.now() + timedelta(days=span),
        },
    )
    record(person, "pinned", content.kind, content.pk, space_id=content.space_id, value=span)
    return pin


@transaction.atomic
def unpin_from_essential(person: Person, content: Content) -> None:
    content = _pinnable(person, content)
    deleted, _count = EssentialPin.objects.filter(content=content).delete()
    if not deleted:
        raise NotFound(_("this item is not pinned"))
    record(person, "unpinned", content.kind, content.pk, space_id=content.space_id)

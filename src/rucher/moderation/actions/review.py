"""Moderation's review writes: flag an item, decide on flagged items, lift a suspension.

Each action validates, checks the read policy (``spaces/permissions.py``), writes in one
transaction and appends its events last: ``flagged`` for a flag, one ``moderated`` per item
decided (object = the item, target = its author), all of a bulk decision in one INSERT
(``record_together``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record, record_together
from rucher.conversations.actions.common import (
    add_mentions,
    audience,
    mention_events,
    render_for,
    set_topics,
)
from rucher.conversations.models import Content, Revision
from rucher.conversations.queries import get_visible_content
from rucher.conversations.rendering import extract
from rucher.errors import Conflict, Forbidden, Invalid, NotFound
from rucher.moderation.actions.common import one_of, optional_text
from rucher.moderation.models import (
    PERIOD_DAYS,
    QUEUE_DECISIONS,
    Decision,
    Flag,
    FlaggedItem,
    ModerationDecision,
    Period,
    Reason,
)
from rucher.moderation.queries import ItemRef, content_to_decide
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Membership, Space
from rucher.text import clean

MAX_FLAG_TEXT = 1000
MAX_REASON = 1000
MAX_BULK = 100
# Decisions that change the content itself: they make no sense on a profile.
CONTENT_ONLY = (Decision.HIDE, Decision.RESTORE, Decision.DELETE, Decision.EDIT)


# --- flags --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a flag or a decision is about, read through the policy."""

    content: Content | None
    profile: Person | None

    @property
    def space_id(self) -> int | None:
        return self.content.space_id if self.content is not None else None

    @property
    def author_id(self) -> int:
        if self.content is not None:
            return int(self.content.author_id)
        assert self.profile is not None
        return int(self.profile.pk)

    @property
    def object_type(self) -> str:
        return str(self.content.kind) if self.content is not None else "person"

    @property
    def object_id(self) -> int:
        return int(self.content.pk if self.content is not None else self.profile.pk)  # type: ignore[union-attr]


def _open_item(target: Target, *, lock: bool = True) -> FlaggedItem | None:
    rows = FlaggedItem.objects.filter(status=FlaggedItem.Status.OPEN)
    if lock:
        rows = rows.select_for_update()
    if target.content is not None:
        return rows.filter(content_id=target.content.pk).first()
    return rows.filter(profile_id=target.author_id).first()


@transaction.atomic
def flag(person: Person, item: ItemRef, reason: object, text: object = "") -> Flag:
    """Flag a content item or a profile this person may see, with a reason."""
    reason = one_of(reason, Reason.values, _("reason"))
    if reason == Reason.OTHER:
        body = clean(text, MAX_FLAG_TEXT, _("explanation"))
    else:
        body = optional_text(text, MAX_FLAG_TEXT, _("explanation"))
    if item.type == "content":
        target = Target(get_visible_content(person, item.id), None)
    else:
        target = Target(None, permissions.get_visible_person(person, item.id))
    if target.author_id == person.pk:
        raise Invalid(_("you cannot flag your own content or profile"))
    now = timezone.now()
    review = _open_item(target)
    created = False
    if review is None:
        try:
            with transaction.atomic():
                review = FlaggedItem.objects.create(
                    content=target.content,
                    profile=target.profile,
                    space_id=target.space_id,
                    author_id=target.author_id,
                    flag_count=1,
                    first_flagged_at=now,
                    last_flagged_at=now,
                )
            created = True
        except IntegrityError:  # flagged by someone else at the same instant
            review = _open_item(target)
            assert review is not None
    try:
        with transaction.atomic():
            row = Flag.objects.create(
                item=review, flagger=person, reason=reason, text=body, created_at=now
            )
    except IntegrityError:
        raise Conflict(_("you already flagged this item; moderators will review it")) from None
    if not created:
        FlaggedItem.objects.filter(pk=review.pk).update(
            flag_count=F("flag_count") + 1, last_flagged_at=now
        )
    record(
        person,
        "flagged",
        target.object_type,
        target.object_id,
        space_id=target.space_id,
        target_id=target.author_id,
    )
    return row


# --- decisions ----------------------------------------------------------------------------


def _target_for(moderator: Person, item: ItemRef) -> Target:
    if item.type == "content":
        return Target(content_to_decide(moderator, item.id), None)
    profile = permissions.get_visible_person(moderator, item.id)
    if not permissions.moderates_people(moderator):
        raise Forbidden(_("only community-manager accounts decide on profiles"))
    return Target(None, profile)


def _suspension_end(period: str, now: datetime) -> datetime | None:
    days = PERIOD_DAYS.get(Period(period))
    return None if days is None else now + timedelta(days=days)


@dataclass
class Plan:
    """One item of a decision, checked, before anything is written."""

    target: Target
    review: FlaggedItem | None
    member: Membership | None = None


def _check(moderator: Person, item: ItemRef, decision: str) -> Plan:
    target = _target_for(moderator, item)
    content = target.content
    if content is None and decision in CONTENT_ONLY:
        raise Invalid(_("this decision applies to content, not to a profile"))
    review = _open_item(target)
    if decision == Decision.RESTORE:
        held_or_hidden = (Content.Status.HIDDEN, Content.Status.HELD)
        if content is None or content.status not in held_or_hidden:
            raise Conflict(_("this content is not hidden"))
    elif review is None:
        raise Conflict(_("this item has no open flags: it was already decided"))
    if decision == Decision.HIDE and content is not None and content.is_hidden:
        raise Conflict(_("this content is already hidden"))
    member = None
    if decision == Decision.SUSPEND:
        if content is None or content.space is None:
            raise Invalid(_("a suspension is from a space; this item is not in one"))
        member = Membership.objects.filter(
            space_id=content.space.pk, person_id=content.author_id
        ).first()
        if member is None:
            raise Conflict(_("the author is no longer a member of this space"))
    return Plan(target, review, member)


def _released_mentions(content: Content) -> list[dict[str, Any]]:
    """A held text is released: the people it mentions are recorded and told now (never
    while it was held). Those already recorded (an earlier release) are not told twice."""
    usernames = extract(content.text)[0]
    if not usernames:
        return []
    reach = audience(content.author, content.space, usernames)
    mentioned = reach.mentioned(usernames)
    already = set(content.mentions.filter(pk__in=mentioned).values_list("pk", flat=True))
    mentioned = [pk for pk in dict.fromkeys(mentioned) if pk not in already]
    add_mentions(content, mentioned)
    return mention_events(content, mentioned)


def _apply(
    moderator: Person, plan: Plan, decision: str, text: str, now: datetime
) -> list[dict[str, Any]]:
    """Apply the decision to the content; the events it entails besides ``moderated`` (the
    mentions of a released held text)."""
    content = plan.target.content
    if content is None:
        return []
    extra: list[dict[str, Any]] = []
    if decision == Decision.RESTORE and content.is_held:
        extra = _released_mentions(content)
    shown_before = content.status == Content.Status.PUBLISHED
    if decision == Decision.HIDE:
        content.status = Content.Status.HIDDEN
        content.save(update_fields=["status"])
    elif decision == Decision.RESTORE:
        content.status = Content.Status.PUBLISHED
        content.save(update_fields=["status"])
    elif decision == Decision.DELETE:
        content.status = Content.Status.DELETED
        content.deleted_at, content.deleted_by = now, moderator
        content.save(update_fields=["status", "deleted_at", "deleted_by"])
    elif decision == Decision.EDIT and text != content.text:
        Revision.objects.create(
            content=content, text=content.text, html=content.html, edited_by=moderator
        )
        rendered = render_for(content.author, text)
        content.text, content.html, content.tag_prefix = text, rendered.html, rendered.tag_prefix
        content.edited_at = now
        content.save(update_fields=["text", "html", "tag_prefix", "edited_at"])
        set_topics(content, rendered.topics)
    shown_after = content.status == Content.Status.PUBLISHED
    if content.root_id is not None and shown_before != shown_after:
        change = 1 if shown_after else -1
        Content.objects.filter(pk=content.root_id).update(comment_count=F("comment_count") + change)
    return extra


@transaction.atomic
def decide(
    moderator: Person,
    items: list[ItemRef],
    decision: object,
    reason: object,
    *,
    text: object = None,
    note: object = None,
    period: object = None,
) -> list[ModerationDecision]:
    """The same decision on one or several items (bulk), each with the same reason; closes
    each item's open flags. All or nothing: one item that cannot be decided refuses all."""
    decision = one_of(decision, QUEUE_DECISIONS, _("decision"))
    why = clean(reason, MAX_REASON, _("reason"))
    if not items:
        raise Invalid(_("choose at least one item"))
    if len(items) > MAX_BULK:
        raise Invalid(_("at most %(max)s items at once") % {"max": MAX_BULK})
    if len({i.key for i in items}) != len(items):
        raise Invalid(_("an item is listed twice"))
    new_text = ""
    if decision == Decision.EDIT:
        new_text = clean(text, settings.RUCHER_MAX_COMMENT_LENGTH, _("new text"))
    shown_note = optional_text(note, MAX_REASON, _("note")) or why
    until = None
    if decision == Decision.SUSPEND:
        until = _suspension_end(one_of(period, Period.values, _("period")), timezone.now())
    plans = [_check(moderator, item, decision) for item in items]
    now = timezone.now()
    for plan in plans:
        released = _apply(moderator, plan, decision, new_text, now)
        if released:  # the author mentioned them: told now, as by the author
            record_together(plan.target.content.author, released)  # type: ignore[union-attr]
        if decision == Decision.EDIT and plan.target.content is not None:
            plan.target.content.moderation_note = shown_note
            plan.target.content.save(update_fields=["moderation_note"])
        if plan.member is not None:
            plan.member.suspended_at, plan.member.suspended_until = now, until
            plan.member.save(update_fields=["suspended_at", "suspended_until"])
        if plan.review is not None:
            plan.review.status, plan.review.closed_at = FlaggedItem.Status.CLOSED, now
            plan.review.save(update_fields=["status", "closed_at"])
            Flag.objects.filter(item=plan.review, status=Flag.Status.OPEN).update(
                status=Flag.Status.CLOSED
            )
    entries = [
        {
            "verb": "moderated",
            "object_type": plan.target.object_type,
            "object_id": plan.target.object_id,
            "space_id": plan.target.space_id,
            "target_id": plan.target.author_id,
            "at": now,
        }
        for plan in plans
    ]
    if len(plans) == 1:
        target = plans[0].target
        events = [
            record(
                moderator,
                "moderated",
                target.object_type,
                target.object_id,
                space_id=target.space_id,
                target_id=target.author_id,
                at=now,
            )
        ]
    else:
        events = record_together(moderator, entries)
    return ModerationDecision.objects.bulk_create(
        [
            ModerationDecision(
                item=plan.review,
                moderator=moderator,
                decision=decision,
                content=plan.target.content,
                profile=plan.target.profile,
                space_id=plan.target.space_id,
                author_id=plan.target.author_id,
                reason=why,
                note=shown_note if decision in (Decision.EDIT, Decision.WARN) else "",
                until=until,
                event_id=event.pk,
                created_at=now,
            )
            for plan, event in zip(plans, events, strict=True)
        ]
    )


@transaction.atomic
def lift_suspension(moderator: Person, space: Space, person: Person, reason: object) -> None:
    """End a member's suspension before its term (or one "until lifted")."""
    why = clean(reason, MAX_REASON, _("reason"))
    if not permissions.visible_spaces(moderator).filter(pk=space.pk).exists():
        raise NotFound(_("space not found"))
    if not permissions.reviewed_spaces(moderator).filter(pk=space.pk).exists():
        raise Forbidden(_("only the moderators of this space lift a suspension"))
    member = Membership.objects.select_for_update().filter(space=space, person_id=person.pk).first()
    if member is None or not permissions.is_suspended(member):
        raise Conflict(_("this person is not suspended from this space"))
    member.suspended_at = member.suspended_until = None
    member.save(update_fields=["suspended_at", "suspended_until"])
    now = timezone.now()
    event = record(
        moderator, "moderated", "person", person.pk, space_id=space.pk, target_id=person.pk, at=now
    )
    ModerationDecision.objects.create(
        moderator=moderator,
        decision=Decision.LIFT,
        profile=person,
        space=space,
        author=person,
        reason=why,
        event_id=event.pk,
        created_at=now,
    )

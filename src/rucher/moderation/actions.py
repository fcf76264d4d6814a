"""The write door of moderation: flag an item, decide on flagged items, lift a suspension.

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
from rucher.moderation import screens
from rucher.moderation.models import (
    PERIOD_DAYS,
    QUEUE_DECISIONS,
    Decision,
    Flag,
    FlaggedItem,
    ModerationDecision,
    OrganisationRules,
    Period,
    Reason,
    SpaceRules,
    WatchedWord,
)
from rucher.moderation.queries import ItemRef, content_to_decide
from rucher.people.models import Person
from rucher.sensitive import watched
from rucher.spaces import permissions
from rucher.spaces.models import Membership, Space
from rucher.text import clean, is_blank, require, strip

MAX_FLAG_TEXT = 1000
MAX_REASON = 1000
MAX_BULK = 100
# Decisions that change the content itself: they make no sense on a profile.
CONTENT_ONLY = (Decision.HIDE, Decision.RESTORE, Decision.DELETE, Decision.EDIT)


def _choice(value: object, choices: list[str], what: str) -> str:
    if value not in choices:
        raise Invalid(
            _("%(field)s must be one of %(choices)s")
            % {"field": what, "choices": ", ".join(choices)}
        )
    return str(value)


def _optional_text(value: object, limit: int, what: str) -> str:
    if value is None:
        return ""
    text = strip(require(value, what))
    return "" if is_blank(text) else clean(text, limit, what)


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
    reason = _choice(reason, Reason.values, _("reason"))
    if reason == Reason.OTHER:
        body = clean(text, MAX_FLAG_TEXT, _("explanation"))
    else:
        body = _optional_text(text, MAX_FLAG_TEXT, _("explanation"))
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
    decision = _choice(decision, QUEUE_DECISIONS, _("decision"))
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
    shown_note = _optional_text(note, MAX_REASON, _("note")) or why
    until = None
    if decision == Decision.SUSPEND:
        until = _suspension_end(_choice(period, Period.values, _("period")), timezone.now())
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


# --- publishing rules: watched words, slow mode, new accounts -----------------------------

MAX_SLOW_MODE_MINUTES = 24 * 60
MAX_NEW_ACCOUNT_POSTS = 100
MAX_NEW_ACCOUNT_DAYS = 365
MAX_REPLACEMENT = 100


def require_rules_manager(person: Person, space: Space | None) -> None:
    """The organisation's rules are the administrators'; a space's, its managers' (owners,
    community managers; administrators as for any space they manage). A space one may not
    know of is 404."""
    if person.is_guest:
        raise NotFound(_("page not found"))
    if space is None:
        if person.kind != Person.Kind.ADMIN:
            raise Forbidden(_("only administrators change the organisation's rules"))
        return
    if not permissions.visible_spaces(person).filter(pk=space.pk).exists():
        raise NotFound(_("space not found"))
    if not permissions.can_manage_space(person, space):
        raise Forbidden(_("only the community managers of this space change its rules"))


@dataclass(frozen=True)
class WordFields:
    pattern: str
    normalised: str
    mode: str
    action: str
    replacement: str


def _word_fields(pattern: object, mode: object, action: object, replacement: object) -> WordFields:
    mode = _choice(mode or WatchedWord.Mode.WORD, list(WatchedWord.Mode.values), _("mode"))
    action = _choice(action, list(WatchedWord.Action.values), _("action"))
    if pattern is None or (isinstance(pattern, str) and is_blank(pattern)):
        raise Invalid(_("the word or pattern cannot be empty"))
    text = strip(require(pattern, _("word")))
    if len(text) > watched.MAX_PATTERN_LENGTH:
        raise Invalid(
            _("a word or pattern has at most %(limit)s characters")
            % {"limit": watched.MAX_PATTERN_LENGTH}
        )
    if mode == WatchedWord.Mode.WORD:
        normalised = watched.normalise_word(text)
        if not any(c.isalnum() for c in normalised):
            raise Invalid(_("a watched word needs at least one letter or digit"))
    else:
        normalised = text
        try:
            watched.validate_pattern(text)
        except watched.PatternError as error:
            if error.code == "syntax":
                raise Invalid(
                    _("this regular expression does not compile: %(detail)s")
                    % {"detail": error.detail}
                ) from None
            if error.code == "empty_match":
                raise Invalid(
                    _("this regular expression matches an empty text, so it would match everywhere")
                ) from None
            raise Invalid(
                _(
                    "this regular expression is too slow on some texts (it backtracks "
                    "catastrophically): simplify its nested repetitions"
                )
            ) from None
    swap = _optional_text(replacement, MAX_REPLACEMENT, _("replacement"))
    if swap and action != WatchedWord.Action.REPLACE:
        raise Invalid(_("a replacement is given only with the action “replace”"))
    return WordFields(text, normalised, mode, action, swap)


def _duplicate(space: Space | None, fields: WordFields, exclude: int | None = None) -> None:
    same = WatchedWord.objects.filter(space=space, normalised=fields.normalised, mode=fields.mode)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise Conflict(_("this word is already watched here"))


def _save_word(word: WatchedWord, update: bool) -> None:
    try:
        with transaction.atomic():
            word.save(force_update=update)
    except IntegrityError:  # the same word saved at the same moment by someone else
        raise Conflict(_("this word is already watched here")) from None


@transaction.atomic
def add_watched_word(
    person: Person,
    space: Space | None,
    pattern: object,
    mode: object = "word",
    action: object = None,
    replacement: object = None,
) -> WatchedWord:
    """Watch a word (or a regular expression) before publishing, for the organisation
    (``space`` None) or one space. Appends ``added_watched_word``."""
    require_rules_manager(person, space)
    fields = _word_fields(pattern, mode, action, replacement)
    _duplicate(space, fields)
    now = timezone.now()
    word = WatchedWord(
        space=space,
        pattern=fields.pattern,
        normalised=fields.normalised,
        mode=fields.mode,
        action=fields.action,
        replacement=fields.replacement,
        created_by=person,
        created_at=now,
        updated_at=now,
    )
    _save_word(word, update=False)
    record(person, "added_watched_word", "watched_word", word.pk, space_id=word.space_id)
    screens.forget_rules()
    return word


def _managed_word(person: Person, word_id: int) -> WatchedWord:
    try:
        word = WatchedWord.objects.select_related("space").filter(pk=int(word_id)).first()
    except (TypeError, ValueError, OverflowError):  # beyond the database's integers
        word = None
    if word is None:
        raise NotFound(_("no watched word with this id"))
    try:
        require_rules_manager(person, word.space)
    except Forbidden:
        if word.space is None and person.kind != Person.Kind.ADMIN:
            raise NotFound(_("no watched word with this id")) from None
        raise
    return word


@transaction.atomic
def update_watched_word(
    person: Person,
    word_id: int,
    pattern: object = None,
    mode: object = None,
    action: object = None,
    replacement: object = None,
) -> WatchedWord:
    """Change a watched word (fields left None keep their value). Appends
    ``changed_watched_word``."""
    word = _managed_word(person, word_id)
    new_action = word.action if action is None else action
    if replacement is None:  # kept while the word is still replaced, else dropped
        replacement = word.replacement if new_action == WatchedWord.Action.REPLACE else None
    fields = _word_fields(
        word.pattern if pattern is None else pattern,
        word.mode if mode is None else mode,
        new_action,
        replacement,
    )
    _duplicate(word.space, fields, exclude=word.pk)
    word.pattern, word.normalised, word.mode = fields.pattern, fields.normalised, fields.mode
    word.action, word.replacement = fields.action, fields.replacement
    word.updated_at = timezone.now()
    _save_word(word, update=True)
    record(person, "changed_watched_word", "watched_word", word.pk, space_id=word.space_id)
    screens.forget_rules()
    return word


@transaction.atomic
def remove_watched_word(person: Person, word_id: int) -> None:
    """Stop watching a word. Appends ``removed_watched_word`` (its hits stay counted)."""
    word = _managed_word(person, word_id)
    pk, space_id = word.pk, word.space_id
    word.delete()
    record(person, "removed_watched_word", "watched_word", pk, space_id=space_id)
    screens.forget_rules()


def _bounded(value: object, limit: int, what: str) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else -1
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= limit:
        raise Invalid(
            _("%(field)s must be a whole number from 0 to %(limit)s")
            % {"field": what, "limit": limit}
        )
    return number


@transaction.atomic
def set_slow_mode(person: Person, space: Space, minutes: object) -> SpaceRules:
    """Slow mode for a heated space: one post or comment per person every ``minutes``
    (0 turns it off). Appends ``changed_publishing_rules`` (object: the space)."""
    require_rules_manager(person, space)
    value = _bounded(minutes, MAX_SLOW_MODE_MINUTES, _("minutes"))
    rules, _created = SpaceRules.objects.update_or_create(
        space=space, defaults={"slow_mode_minutes": value, "updated_at": timezone.now()}
    )
    record(person, "changed_publishing_rules", "space", space.pk, space_id=space.pk)
    screens.forget_rules()
    return rules


@transaction.atomic
def set_new_account_rules(person: Person, posts: object, days: object) -> OrganisationRules:
    """The first ``posts`` posts and comments of accounts younger than ``days`` days are
    held for review (0 posts: off). Administrators only. Appends
    ``changed_publishing_rules`` (object: the organisation)."""
    require_rules_manager(person, None)
    count = _bounded(posts, MAX_NEW_ACCOUNT_POSTS, _("number of posts"))
    age = _bounded(days, MAX_NEW_ACCOUNT_DAYS, _("number of days"))
    if count and not age:
        raise Invalid(_("an account is new for at least one day"))
    rules, _created = OrganisationRules.objects.update_or_create(
        pk=1,
        defaults={
            "new_account_posts": count,
            "new_account_days": age,
            "updated_at": timezone.now(),
        },
    )
    record(person, "changed_publishing_rules", "organisation", None)
    screens.forget_rules()
    return rules

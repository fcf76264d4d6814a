"""Moderation's publishing rules: watched words (organisation and space), slow mode, and the
first posts of new accounts (docs/watched-words.md). Each change is an action with one event.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.errors import Conflict, Forbidden, Invalid, NotFound
from rucher.moderation import screens
from rucher.moderation.actions.common import one_of, optional_text
from rucher.moderation.models import (
    OrganisationRules,
    SpaceRules,
    WatchedWord,
)
from rucher.people.models import Person
from rucher.sensitive import watched
from rucher.spaces import permissions
from rucher.spaces.models import Space
from rucher.text import is_blank, require, strip

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
    mode = one_of(mode or WatchedWord.Mode.WORD, list(WatchedWord.Mode.values), _("mode"))
    action = one_of(action, list(WatchedWord.Action.values), _("action"))
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
    swap = optional_text(replacement, MAX_REPLACEMENT, _("replacement"))
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

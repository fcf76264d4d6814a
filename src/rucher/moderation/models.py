"""Flags, flagged items (the review queue's rows) and moderators' decisions.

A flag names one item: a content row (post, comment, question, answer, poll) or a person's
profile. The open flags of an item hang from ONE open ``FlaggedItem`` (a partial unique
constraint), which the queue lists (an indexed query, cursor-paginated on its own columns)
and which a decision closes. ``ModerationDecision`` rows are the record: who decided what,
when, why, until when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    OFF_TOPIC = "off_topic", _("off-topic")
    INAPPROPRIATE = "inappropriate", _("inappropriate")
    SENSITIVE = "sensitive_information", _("sensitive information")
    SPAM = "spam", _("spam")
    OTHER = "other", _("other")


class Decision(models.TextChoices):
    HIDE = "hide", _("hide")
    RESTORE = "restore", _("restore (show again)")
    DELETE = "delete", _("delete")
    EDIT = "edit", _("edit with a note")
    WARN = "warn", _("warn the author")
    SUSPEND = "suspend", _("suspend the author from the space")
    DISMISS = "dismiss", _("dismiss the flags")
    LIFT = "lift", _("lift the suspension")  # lift_suspension only, never from the queue


# What a moderator decides from the queue (lifting a suspension is its own action).
QUEUE_DECISIONS = [d.value for d in Decision if d != Decision.LIFT]


class Period(models.TextChoices):
    ONE_DAY = "1d", _("1 day")
    SEVEN_DAYS = "7d", _("7 days")
    THIRTY_DAYS = "30d", _("30 days")
    UNTIL_LIFTED = "lifted", _("until lifted")


PERIOD_DAYS = {Period.ONE_DAY: 1, Period.SEVEN_DAYS: 7, Period.THIRTY_DAYS: 30}


class FlaggedItem(models.Model):
    """One item under review: its open flags, counted, and when it was last flagged."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    content = models.ForeignKey(
        "conversations.Content", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    profile = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The item's space (None: a profile or a profile post) and author (the profile's owner).
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    flag_count = models.PositiveIntegerField(default=0)
    first_flagged_at = models.DateTimeField()
    last_flagged_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content"],
                condition=Q(status="open", content__isnull=False),
                name="one_open_review_per_content",
            ),
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(status="open", profile__isnull=False),
                name="one_open_review_per_profile",
            ),
            models.CheckConstraint(
                condition=Q(content__isnull=True) ^ Q(profile__isnull=True),
                name="flagged_item_is_content_or_profile",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "last_flagged_at", "id"], name="review_newest"),
            models.Index(fields=["status", "flag_count", "id"], name="review_most"),
        ]

    @property
    def object_type(self) -> str:
        return "person" if self.profile_id else self.content.kind  # type: ignore[union-attr]


class Flag(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    item = models.ForeignKey(FlaggedItem, on_delete=models.CASCADE, related_name="flags")
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags_raised"
    )
    reason = models.CharField(max_length=30, choices=Reason)
    text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open flag per person and item (a second one is a 409).
            models.UniqueConstraint(
                fields=["item", "flagger"],
                condition=Q(status="open"),
                name="one_open_flag_per_person",
            )
        ]


class ModerationDecision(models.Model):
    """A moderator's decision on one item; the author's warnings are the ``warn`` rows."""

    item = models.ForeignKey(
        FlaggedItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision)
    content = models.ForeignKey(
        "conversations.Content", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    profile = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_decisions"
    )
    reason = models.TextField()
    note = models.TextField(blank=True)  # edit: the note shown under the text
    until = models.DateTimeField(null=True, blank=True)  # suspend: None = until lifted
    # The ``moderated`` event of this decision: what the notification fan-out starts from.
    event_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content", "created_at"], name="decision_content"),
            models.Index(fields=["author", "space", "created_at"], name="decision_author"),
        ]


# --- before publishing: watched words, slow mode, new accounts (docs/watched-words.md) ------


class WatchedWord(models.Model):
    """A word or a pattern watched before publishing, for the organisation (``space`` None,
    set by administrators) or one space (set by its community managers)."""

    class Mode(models.TextChoices):
        WORD = "word", _("whole word")
        REGEX = "regex", _("regular expression")

    class Action(models.TextChoices):
        BLOCK = "block", _("block")
        HOLD = "hold", _("require approval")
        FLAG = "flag", _("flag after publishing")
        REPLACE = "replace", _("replace")

    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pattern = models.CharField(max_length=200)
    # The word as compared (folded, lower case): what makes two words duplicates.
    normalised = models.CharField(max_length=200)
    mode = models.CharField(max_length=10, choices=Mode, default=Mode.WORD)
    action = models.CharField(max_length=10, choices=Action)
    replacement = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["normalised", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["normalised", "mode"],
                condition=Q(space__isnull=True),
                name="one_organisation_watched_word",
            ),
            models.UniqueConstraint(
                fields=["space", "normalised", "mode"],
                condition=Q(space__isnull=False),
                name="one_space_watched_word",
            ),
        ]


class WatchedWordHit(models.Model):
    """A watched word found in a published (or held) text: counted per space and week for the
    cockpit. Written after commit from the content's record (``moderation/held.py``); keyed
    on the event so a retried task counts nothing twice. Refused texts write nothing."""

    event_id = models.BigIntegerField()
    word_id = models.BigIntegerField(null=True)  # the word may be deleted since
    pattern = models.CharField(max_length=200)
    action = models.CharField(max_length=10)  # block never: a refused text is not stored
    timed_out = models.BooleanField(default=False)
    content = models.ForeignKey(
        "conversations.Content", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id", "pattern"], name="one_hit_per_event_word")
        ]
        indexes = [models.Index(fields=["space", "at"], name="watched_hit_space_at")]


class SpaceRules(models.Model):
    """A space's publishing rules set by its community managers: slow mode (one post or
    comment per person per ``slow_mode_minutes``; 0 = off)."""

    space = models.OneToOneField("spaces.Space", on_delete=models.CASCADE, related_name="+")
    slow_mode_minutes = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()


class OrganisationRules(models.Model):
    """The organisation's publishing rules (one row, pk 1): the first
    ``new_account_posts`` contributions of an account younger than ``new_account_days``
    are held for review (0 posts = off, the default)."""

    new_account_posts = models.PositiveIntegerField(default=0)
    new_account_days = models.PositiveIntegerField(default=7)
    updated_at = models.DateTimeField()

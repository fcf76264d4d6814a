"""Kudos (a thank-you from one person to another, with a short message) and badges (earned
from behaviour the community manager chose, as explainable rules over the event log).

docs/recognition.md describes the rules, who sees what, and what erasure does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rucher.spaces.models import Space

KUDOS_MESSAGE_MAX = 280
LABEL_MAX = 40
BADGE_NAME_MAX = 60


def in_language(fr: str, en: str, language: str) -> str:
    """The French or English text, falling back to the other one."""
    if language.startswith("fr"):
        return fr or en
    return en or fr


class KudosKind(models.Model):
    """One entry of the organisation's kudos list ("Merci", "Bravo", "Esprit d'équipe"…).
    Kinds are never deleted (kudos given keep their kind): they are switched off."""

    slug = models.SlugField(max_length=40, unique=True)
    label_fr = models.CharField(max_length=LABEL_MAX)
    label_en = models.CharField(max_length=LABEL_MAX)
    symbol = models.CharField(max_length=8, blank=True)  # an emoji shown before the label
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.slug

    def label_for(self, language: str) -> str:
        return in_language(self.label_fr, self.label_en, language)


class Kudos(models.Model):
    """A kudos given by ``giver`` to ``recipient``; shown on the recipient's profile and, when
    the giver chose a space, on that space's page, to the people who may read it."""

    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_given"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_received"
    )
    kind = models.ForeignKey(KudosKind, on_delete=models.PROTECT, related_name="kudos")
    message = models.CharField(max_length=KUDOS_MESSAGE_MAX)
    space = models.ForeignKey(
        Space, null=True, blank=True, on_delete=models.CASCADE, related_name="kudos"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="kudos_received_recent"),
            models.Index(fields=["space", "-created_at"], name="kudos_space_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.giver_id} → {self.recipient_id} ({self.kind_id})"


class Behaviour(models.TextChoices):
    """What a badge rule counts in the event log (``recognition/rules.py`` says how)."""

    ACCEPTED_ANSWERS = "accepted_answers", _("answers of theirs accepted by someone else")
    POSTS = "posts", _("posts and questions published")
    ANSWERS = "answers", _("answers given")
    WELCOMED = (
        "welcomed_newcomers",
        _("newcomers welcomed (a reply or reaction in their first month)"),
    )
    KUDOS_GIVEN = "kudos_given", _("kudos given")


class BadgeRule(models.Model):
    """A badge the community manager chose: earned once ``threshold`` is reached for
    ``behaviour``. Disabling a rule stops awarding it; badges already earned stay."""

    slug = models.SlugField(max_length=40, unique=True)
    behaviour = models.CharField(max_length=24, choices=Behaviour)
    threshold = models.PositiveIntegerField(default=1)
    name_fr = models.CharField(max_length=BADGE_NAME_MAX)
    name_en = models.CharField(max_length=BADGE_NAME_MAX)
    symbol = models.CharField(max_length=8, blank=True)
    enabled = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.slug

    def name_for(self, language: str) -> str:
        return in_language(self.name_fr, self.name_en, language)


class BadgeAward(models.Model):
    """A badge earned, with what earned it: the count at the time and the spaces where most
    of it happened (shown only to people who may read them)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges"
    )
    rule = models.ForeignKey(BadgeRule, on_delete=models.CASCADE, related_name="awards")
    awarded_at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField()
    spaces = models.JSONField(default=list, blank=True)  # up to 3 space ids, most first
    because_event_id = models.BigIntegerField(null=True, blank=True)  # the event that tipped it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "rule"], name="one_award_per_rule"),
        ]
        indexes = [models.Index(fields=["person", "-awarded_at"], name="badge_person_recent")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.rule_id}"


class RecognitionChoice(models.Model):
    """A member's choice about their recognition; no row means the defaults (badges shown)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recognition_choice"
    )
    hide_badges = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

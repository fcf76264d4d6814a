"""The charter's versions, who accepted which, and the short rules of each space."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rucher.spaces.models import Space


class Audience(models.TextChoices):
    """Members (employees, community managers, administrators) accept one charter; partner
    guests accept their own."""

    MEMBERS = "members", _("members")
    PARTNERS = "partners", _("partner guests")


class CharterVersion(models.Model):
    """One published version of a charter. Versions are never edited: a change is a new
    version (number + 1 for its audience), which everyone of that audience accepts again."""

    audience = models.CharField(max_length=10, choices=Audience.choices)
    number = models.PositiveIntegerField()
    text_fr = models.TextField(blank=True)
    text_en = models.TextField(blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audience", "number"], name="charter_version_unique")
        ]
        ordering = ["audience", "-number"]

    def __str__(self) -> str:
        return f"{self.audience} v{self.number}"

    def text_for(self, language: str) -> str:
        """The text in ``language`` (fr or en), falling back to the other one."""
        if language.startswith("fr"):
            return self.text_fr or self.text_en
        return self.text_en or self.text_fr


class CharterAcceptance(models.Model):
    """A person accepted a version (once per version)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="charter_acceptances"
    )
    version = models.ForeignKey(
        CharterVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "person"], name="charter_accepted_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} accepted {self.version_id}"


class SpaceRules(models.Model):
    """The short rules a space's managers show above its composer (Markdown, both languages;
    the reader sees theirs, or the other one)."""

    space = models.OneToOneField(Space, on_delete=models.CASCADE, related_name="rules")
    text_fr = models.TextField(blank=True)
    text_en = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"rules of {self.space_id}"

    def text_for(self, language: str) -> str:
        if language.startswith("fr"):
            return self.text_fr or self.text_en
        return self.text_en or self.text_fr

"""Side tables of personal data: who sees what of a member, their exports, the spaces'
retention rules and the record of each retention run (docs/privacy.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who may see a profile field or a member's activity, widest first."""

    EVERYONE = "everyone", _("everyone, partner guests included")
    MEMBERS = "members", _("members of the organisation")
    MY_SPACES = "my_spaces", _("members of my spaces")
    NOBODY = "nobody", _("nobody but me")


# The profile fields a member may hide, with the audience each has when they choose nothing.
# The name stays visible: people who may see someone at all see who they are.
PROFILE_FIELDS: dict[str, str] = {
    "email": Audience.MEMBERS,
    "job_title": Audience.EVERYONE,
    "department": Audience.EVERYONE,
    "site": Audience.MEMBERS,
    "manager": Audience.MEMBERS,
    "bio": Audience.EVERYONE,
    "languages": Audience.EVERYONE,
    "skills": Audience.EVERYONE,
    "expertise": Audience.EVERYONE,
}
DEFAULT_ACTIVITY = Audience.MEMBERS


class PrivacySettings(models.Model):
    """A member's choices; no row means the defaults above."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_settings"
    )
    # {field: audience} for the fields the member changed from their default.
    fields = models.JSONField(default=dict, blank=True)
    activity = models.CharField(max_length=12, choices=Audience, default=DEFAULT_ACTIVITY)
    # Shown in the directory to partner guests of spaces the member shares with them.
    listed_to_partners = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def audience_of(self, field: str) -> str:
        return str(self.fields.get(field, PROFILE_FIELDS[field]))


class DataExport(models.Model):
    """A member's download of their data, built in the background (privacy/tasks.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    size = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-id"]

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def downloadable(self) -> bool:
        return self.status == self.Status.READY and not self.is_expired and bool(self.file)


class SpaceRetention(models.Model):
    """Content of the space older than ``months`` is deleted by the daily run, unless the
    space is under legal hold."""

    space = models.OneToOneField("spaces.Space", on_delete=models.CASCADE, related_name="+")
    months = models.PositiveIntegerField(null=True, blank=True)  # None: kept for ever
    legal_hold = models.BooleanField(default=False)
    # The administrator who set the rule: the daily run's events are theirs.
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)


class RetentionRun(models.Model):
    """One space's outcome in one daily run (kept, like the audit entry each run appends)."""

    at = models.DateTimeField(default=timezone.now)
    space_id = models.BigIntegerField()
    months = models.PositiveIntegerField(null=True)
    cutoff = models.DateTimeField(null=True)
    deleted = models.PositiveIntegerField(default=0)
    held = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["space_id", "at"], name="retention_run_space")]

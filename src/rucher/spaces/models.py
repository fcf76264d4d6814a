"""Spaces (communities), memberships, and the record of confidential reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Space(models.Model):
    class Visibility(models.TextChoices):
        OPEN = "open", _("open")
        PRIVATE = "private", _("private")
        SECRET = "secret", _("secret")

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("internal")
        PARTNER = "partner", _("partner-shared")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=140, unique=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility, default=Visibility.OPEN
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.INTERNAL)
    confidential = models.BooleanField(
        _("confidential"), default=False, help_text=_("no export; every read is recorded")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("hub"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    member_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["visibility", "kind"])]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        COMMUNITY_MANAGER = "community_manager", _("community manager")
        MEMBER = "member", _("member")

    class Status(models.TextChoices):
        ACTIVE = "active", _("member")
        INVITED = "invited", _("invited")
        REQUESTED = "requested", _("asked to join")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A moderator's suspension from this space (rucher.moderation): set when suspended, with
    # its end (None: until a moderator lifts it). The read policy refuses posting, replying
    # and reacting while it lasts; past ``suspended_until`` it has lifted by itself.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "person"], name="one_membership_per_space")
        ]
        indexes = [
            models.Index(fields=["person", "status"]),
            models.Index(fields=["space", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.space_id} ({self.role}, {self.status})"


class ConfidentialRead(models.Model):
    """Every read of a confidential space's content, one row each (no aggregation)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="confidential_reads")
    object_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=10, default="web")  # web | api
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

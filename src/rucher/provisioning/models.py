"""A directory connection (one bearer token each) and what it provisioned: the SCIM
representation of each user and group it manages, kept as the directory sent it so it reads
back unchanged, beside the account and the department or space it maps to."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class DirectoryConnection(models.Model):
    """An identity provider or directory (Entra ID, Okta, Keycloak…) that provisions accounts
    over SCIM. Its token is shown once; only the SHA-256 is stored."""

    class GroupTarget(models.TextChoices):
        DEPARTMENTS = "departments", _("departments")
        SPACES = "spaces", _("spaces")

    name = models.CharField(_("name"), max_length=60, unique=True)
    group_target = models.CharField(
        _("groups become"),
        max_length=12,
        choices=GroupTarget,
        default=GroupTarget.DEPARTMENTS,
        help_text=_(
            "A directory group is a department (its members' department) or a space (its "
            "members join it), named as the group."
        ),
    )
    acting_as = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts for"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The administrator accountable for what this connection does (the audit trail "
            "names them)."
        ),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("token begins with"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("directory connection")
        verbose_name_plural = _("directory connections")

    def __str__(self) -> str:
        return self.name


class ProvisionedUser(models.Model):
    """An account a connection manages, with the SCIM resource as last written."""

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    connection = models.ForeignKey(
        DirectoryConnection, on_delete=models.CASCADE, related_name="users"
    )
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provisioned"
    )
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    resource = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.connection_id}: {self.person_id}"


class ProvisionedGroup(models.Model):
    """A directory group, mapped to the department or the space of the same name."""

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    connection = models.ForeignKey(
        DirectoryConnection, on_delete=models.CASCADE, related_name="groups"
    )
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    resource = models.JSONField(default=dict)
    department = models.ForeignKey(
        "people.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "display_name"], name="provisioned_group_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class GroupMembershipGrant(models.Model):
    """A space membership a directory group gave (``--groups spaces``): only these are taken
    back when the directory removes the person from the group. Someone who was in the space
    before the group added them stays in it."""

    group = models.ForeignKey(ProvisionedGroup, on_delete=models.CASCADE, related_name="grants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="provisioning_group_grant")
        ]

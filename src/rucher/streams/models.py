"""What a reader follows, mutes and hides: the stream is theirs to control."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetType(models.TextChoices):
    PERSON = "person", _("person")
    SPACE = "space", _("space")
    TOPIC = "topic", _("topic")


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    target_type = models.CharField(max_length=10, choices=TargetType)
    target_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "target_type", "target_id"], name="one_follow"
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id"])]


class Mute(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes"
    )
    target_type = models.CharField(max_length=10, choices=TargetType)
    target_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "target_type", "target_id"], name="one_mute")
        ]


class HideRule(models.Model):
    """Hide posts whose text starts with ``[tag]`` (matched case-insensitively)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hide_rules"
    )
    tag = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="one_hide_rule")]


class EssentialPin(models.Model):
    """An item a space's community managers put at the top of its members' Essentiel, until
    ``until`` (streams/essential.py). One per item; pinning again moves ``until``."""

    content = models.OneToOneField(
        "conversations.Content", on_delete=models.CASCADE, related_name="essential_pin"
    )
    # The item's space when pinned (a moved item keeps its pin only where it was pinned:
    # the rows are read through the policy anyway).
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned_at = models.DateTimeField(auto_now=True)
    until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["space", "until"], name="essential_pin_space")]

"""Direct messages: conversations of two to twenty people, their messages, reactions, files.

A conversation belongs to its participants and to nobody else: no space, no moderator, no
administrator reads it through the interface (docs/messaging.md). Who may start one is the
read policy's rule for people (``permissions.may_write_to``: people who may see each other,
a partner guest only with the people of their spaces).

Read marks are the participant's ``last_read_id`` (the newest message they have seen): the
unread count of a conversation is the number of others' messages above it, and the thread
shows, under a message, who has read up to it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from rucher.conversations.models import Reaction

MAX_PARTICIPANTS = 20  # the author included
MAX_TITLE_LENGTH = 100


class Conversation(models.Model):
    # Who started it (None once they are erased and nobody took their place).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=MAX_TITLE_LENGTH, blank=True)  # groups may name it
    created_at = models.DateTimeField(default=timezone.now)
    # The newest message, kept by the actions: the list is sorted on it without a join.
    last_message_at = models.DateTimeField(default=timezone.now)
    last_message_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"conversation {self.pk}"


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    last_read_id = models.BigIntegerField(default=0)  # the newest message they have seen

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "person"], name="one_participation_per_person"
            )
        ]
        indexes = [models.Index(fields=["person", "conversation"], name="participant_person")]


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_written"
    )
    text = models.TextField()
    html = models.TextField()  # rendered once, sanitised (conversations.rendering)
    created_at = models.DateTimeField(default=timezone.now)
    # Participants mentioned (their @name became a link to their profile).
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", db_table="messaging_mention"
    )
    # Reactions by kind, kept by the actions ({"like": 2}): the thread reads no reaction row.
    reaction_counts = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["conversation", "id"], name="message_thread"),
            models.Index(fields=["created_at"], name="message_age"),  # retention
        ]

    def __str__(self) -> str:
        return f"message {self.pk}"


class MessageReaction(models.Model):
    """One person's reaction to a message (the same kinds as on content)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Reaction.Kind)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "person"], name="one_reaction_per_message")
        ]


class MessageAttachment(models.Model):
    """A file sent with a message: the conversations' checks (``conversations.attachments``)
    and storage (the data directory), its own table (an ``Attachment`` belongs to content)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="messages/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

"""Posts, comments, questions and answers, polls, reactions, mentions, topics, attachments.

One ``Content`` table holds every kind, so a stream is one indexed query and the export maps
one-to-one onto the contract's ``content`` table.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rucher.spaces import permissions


class Topic(models.Model):
    name = models.CharField(max_length=50, unique=True)  # lower-case, without the '#'

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"#{self.name}"


class ContentQuerySet(models.QuerySet["Content"]):
    def visible_to(self, person: Any) -> ContentQuerySet:
        """What ``person`` may read of these rows: the read policy's ``visible_content``."""
        return permissions.visible_content(person, self)

    def restorable_by(self, person: Any) -> ContentQuerySet:
        """Deleted rows ``person`` may restore: the policy's ``restorable_content``."""
        return permissions.restorable_content(person, self)


class Content(models.Model):
    class Kind(models.TextChoices):
        POST = "post", _("post")
        COMMENT = "comment", _("comment")
        QUESTION = "question", _("question")
        ANSWER = "answer", _("answer")
        POLL = "poll", _("poll")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("published")
        DELETED = "deleted", _("deleted")
        # Hidden by a moderator (rucher.moderation): gone for everyone but its author and
        # the moderators, who see it marked; restorable by a moderator.
        HIDDEN = "hidden", _("hidden by moderation")
        # Held before publishing for sensitive data (rucher.sensitive, "hold" in the
        # organisation's policy): seen like hidden content until a moderator releases it.
        HELD = "held", _("held for review")

    ROOT_KINDS = (Kind.POST, Kind.QUESTION, Kind.POLL)

    kind = models.CharField(max_length=10, choices=Kind)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contents"
    )
    # A post lives in a space, or on its author's profile (space is null then).
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.PROTECT, related_name="contents"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="thread"
    )
    quoted = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="shares"
    )
    text = models.TextField()
    html = models.TextField()
    # "[Sport] …" -> "sport": lets readers hide a whole category of posts by its prefix.
    tag_prefix = models.CharField(max_length=40, blank=True, db_index=True)
    lang = models.CharField(max_length=8, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="contents")
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )
    accepted = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.PUBLISHED)
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "edited by moderation: …": the note of the moderator's last edit, shown under the text.
    moderation_note = models.CharField(max_length=1000, blank=True)
    # What the sensitive-data check found when it was saved ({} when nothing):
    # {"action": "warn"|"hold", "confirmed": bool, "findings": [{kind, label, start, end}]}.
    sensitive = models.JSONField(default=dict, blank=True)
    reaction_count = models.PositiveIntegerField(default=0)
    # {"like": 3, "insightful": 1}: kept by the reaction actions beside the total, so a page
    # shows each kind's count without a query per item.
    reaction_counts = models.JSONField(default=dict, blank=True)

    comment_count = models.PositiveIntegerField(default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["space", "status", "created_at", "id"], name="content_space_stream"
            ),
            models.Index(fields=["author", "created_at"], name="content_author"),
            models.Index(fields=["status", "created_at", "id"], name="content_stream"),
            models.Index(fields=["root", "created_at"], name="content_thread"),
            # Streams list roots only: these partial indexes skip comments, however many.
            models.Index(
                fields=["status", "created_at", "id"],
                condition=models.Q(parent__isnull=True),
                name="content_root_stream",
            ),
            models.Index(
                fields=["space", "status", "created_at", "id"],
                condition=models.Q(parent__isnull=True),
                name="content_root_space_stream",
            ),
            # A person's roots newest first (their stream, and each followed person's scan
            # in the home stream, streams/scans.py): equality and order match, so no
            # planner, with or without statistics, prefers walking every root.
            models.Index(
                fields=["author", "status", "created_at", "id"],
                condition=models.Q(parent__isnull=True),
                name="content_root_author_stream",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def is_deleted(self) -> bool:
        return self.status == self.Status.DELETED

    @property
    def is_hidden(self) -> bool:
        return self.status == self.Status.HIDDEN

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    def topics_beyond_text(self) -> list[Topic]:
        """Topics the text does not already link (an imported item's tags, for instance):
        the ones a page lists under the text, so none shows twice."""
        html = self.html
        return [
            topic
            for topic in self.topics.all()
            if f"/topics/{topic.name}/" not in html and f"/topics/{quote(topic.name)}/" not in html
        ]


class Revision(models.Model):
    """The text a content had before an edit: edits keep a visible history."""

    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField()
    html = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at", "-id"]


class Reaction(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", _("like")
        CELEBRATE = "celebrate", _("celebrate")
        SUPPORT = "support", _("support")
        INSIGHTFUL = "insightful", _("insightful")
        CURIOUS = "curious", _("curious")

    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="reactions")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=12, choices=Kind)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content", "person"], name="one_reaction_per_person")
        ]
        indexes = [models.Index(fields=["person", "content"])]


class Attachment(models.Model):
    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)


class Poll(models.Model):
    class Kind(models.TextChoices):
        CHOICE = "choice", _("choice")
        NPS = "nps", _("how likely are you to recommend… (0–10)")

    content = models.OneToOneField(Content, on_delete=models.CASCADE, related_name="poll")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.CHOICE)
    question = models.CharField(max_length=300)


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_votes"
    )
    option = models.ForeignKey(PollOption, null=True, blank=True, on_delete=models.CASCADE)
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # 0–10 for NPS polls
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "person"], name="one_vote_per_poll")]

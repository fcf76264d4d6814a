"""What rucher tells a person, and how they want to be told.

A notification is one row per (recipient, kind, subject) while it is unread: a second reaction
to my post adds an actor to the unread "reaction" row of that post ("Claire and 11 others
reacted") instead of adding a row. Once read, the next event about the same subject starts a
new row. Rows are written by the worker (``notifications/fanout.py``, a subscriber of the event
log), never in the request that caused them, and keyed on the event id
(``NotificationEvent``) so that a retried task adds nothing twice.

The read policy is checked again when a notification is shown (``notifications/queries.py``):
a notification about an item its recipient may no longer see is not shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What concerns a person. The defaults (``DEFAULT_CHANNELS``) keep the flood away."""

    MENTION = "mention", _("mentions of me")
    REPLY = "reply", _("replies to my posts and comments")
    REACTION = "reaction", _("reactions to what I wrote")
    ANSWER = "answer", _("answers to my questions")
    ACCEPTED_ANSWER = "accepted_answer", _("my answers accepted")
    INVITATION = "invitation", _("invitations to a space")
    JOIN_REQUEST = "join_request", _("requests to join a space I manage")
    ROLE_CHANGE = "role_change", _("changes of my role in a space")
    MODERATION = "moderation", _("moderation of what I wrote or flagged")
    NEW_POST = "new_post", _("new posts in spaces and topics I watch")
    DIRECT_MESSAGE = "direct_message", _("direct messages to me")
    KUDOS = "kudos", _("thanks and kudos I receive")
    BADGE = "badge", _("badges I earn")
    EXPERT_REQUEST = "expert_request", _("unanswered questions I may know about")
    EXPORT_READY = "export_ready", _("my data export is ready")


class Channel(models.TextChoices):
    """How a person is told. Every channel but ``off`` shows in the notification centre;
    ``email`` also sends an e-mail at once (outside quiet hours); ``daily`` and ``weekly`` put
    the notification in that digest instead."""

    OFF = "off", _("off")
    APP = "app", _("in rucher only")
    EMAIL = "email", _("e-mail at once")
    DAILY = "daily", _("daily digest")
    WEEKLY = "weekly", _("weekly digest")


# Nobody is flooded by default: what concerns me directly arrives in the app at once; the rest
# waits for the weekly digest; new posts in a space or topic only when I choose to watch it.
DEFAULT_CHANNELS: dict[str, str] = {
    Kind.MENTION: Channel.APP,
    Kind.ANSWER: Channel.APP,
    Kind.ACCEPTED_ANSWER: Channel.APP,
    Kind.INVITATION: Channel.APP,
    Kind.JOIN_REQUEST: Channel.APP,
    Kind.MODERATION: Channel.APP,
    Kind.ROLE_CHANGE: Channel.WEEKLY,
    Kind.REPLY: Channel.WEEKLY,
    Kind.REACTION: Channel.WEEKLY,
    Kind.NEW_POST: Channel.OFF,
    Kind.DIRECT_MESSAGE: Channel.APP,
    Kind.KUDOS: Channel.APP,
    Kind.BADGE: Channel.APP,
    Kind.EXPERT_REQUEST: Channel.WEEKLY,
    Kind.EXPORT_READY: Channel.APP,
}


# Web push (notifications/push.py): what a person hears of on their devices unless they choose
# otherwise: the kinds that arrive in the app at once by default.
PUSH_DEFAULT_KINDS: frozenset[str] = frozenset(
    kind for kind, channel in DEFAULT_CHANNELS.items() if channel == Channel.APP
)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    # The subject: a content item (post, comment, question, answer, poll) or, for invitations,
    # join requests and role changes, a space. Plain ids: a deleted subject hides the row
    # (the read policy is checked again when shown) rather than deleting the recipient's history.
    content_id = models.BigIntegerField(null=True)
    space_id = models.BigIntegerField(null=True)
    # The grouping key, "content:<id>" or "space:<id>" (a string: unique constraints treat
    # NULLs as distinct on SQLite, so two nullable ids could not group).
    subject = models.CharField(max_length=40)
    # The channel chosen for this notification when it was made (its recipient's preference).
    channel = models.CharField(max_length=10, choices=Channel)
    actor_count = models.PositiveIntegerField(default=1)
    last_actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()  # the newest event folded into it
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # sent at once, or in a digest

    class Meta:
        indexes = [
            # The centre's page and the bell: newest first, unread first.
            models.Index(fields=["recipient", "-updated_at"], name="notification_recent"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # E-mails due (at once after quiet hours, digests).
            models.Index(
                fields=["channel", "recipient"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_unsent",
            ),
        ]
        constraints = [
            # Grouping: at most one unread row per recipient, kind and subject.
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject"],
                condition=models.Q(read_at__isnull=True),
                name="one_unread_notification_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.subject}"


class NotificationActor(models.Model):
    """Who is behind a grouped notification (distinct people: "Claire and 11 others")."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="actors")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "actor"], name="one_actor_per_notification"
            )
        ]


class NotificationEvent(models.Model):
    """An event already folded into a recipient's notifications: a retried task adds nothing."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    event_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "recipient"], name="one_notification_per_event"
            )
        ]


class Preference(models.Model):
    """One choice of a person: a channel for a kind, or for new posts of a space or a topic.

    Exactly one of ``kind``, ``space``, ``topic`` is set. A space or topic preference says how
    the person hears of new posts there (watching it); muting a space, topic or person in the
    stream controls silences every notification from it.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind, blank=True)
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE)
    topic = models.ForeignKey(
        "conversations.Topic", null=True, blank=True, on_delete=models.CASCADE
    )
    channel = models.CharField(max_length=10, choices=Channel)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(space__isnull=True, topic__isnull=True),
                name="one_preference_per_kind",
            ),
            models.UniqueConstraint(
                fields=["person", "space"],
                condition=models.Q(space__isnull=False),
                name="one_preference_per_space",
            ),
            models.UniqueConstraint(
                fields=["person", "topic"],
                condition=models.Q(topic__isnull=False),
                name="one_preference_per_topic",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(~models.Q(kind=""), space__isnull=True, topic__isnull=True)
                    | models.Q(kind="", space__isnull=False, topic__isnull=True)
                    | models.Q(kind="", space__isnull=True, topic__isnull=False)
                ),
                name="preference_has_one_scope",
            ),
        ]


class Settings(models.Model):
    """A person's e-mail settings: language, time zone, quiet hours (no e-mail at once between
    ``quiet_from`` and ``quiet_until``, in their time zone; what falls inside waits for the end)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    language = models.CharField(max_length=8, default="fr")
    time_zone = models.CharField(max_length=64, default="Europe/Paris")
    quiet_from = models.TimeField(null=True, blank=True)
    quiet_until = models.TimeField(null=True, blank=True)
    # Digests: the hour (local) they are sent, the weekday of the weekly one (0 = Monday).
    digest_hour = models.PositiveSmallIntegerField(default=8)
    digest_weekday = models.PositiveSmallIntegerField(default=0)
    last_daily_digest_at = models.DateTimeField(null=True, blank=True)
    last_weekly_digest_at = models.DateTimeField(null=True, blank=True)
    # The kinds pushed to the person's devices (a sorted list of kinds); None: the defaults
    # (``PUSH_DEFAULT_KINDS``).
    push_kinds = models.JSONField(null=True, blank=True, default=None)

    class Meta:
        verbose_name = "notification settings"
        verbose_name_plural = "notification settings"


class PushSubscription(models.Model):
    """A browser (a device) that receives web push for a person (notifications/push.py).

    The endpoint is the push service's address for this browser: unique, since one browser
    profile has one subscription per site (a second account signing in on the same browser
    takes it over). ``p256dh`` and ``auth`` are the browser's keys (base64url), with which
    each message is encrypted for it alone (RFC 8291)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    user_agent = models.CharField(max_length=120, blank=True)  # a label: "Firefox on Linux"
    created_at = models.DateTimeField()
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)  # consecutive; reset by a success

    def __str__(self) -> str:
        return f"{self.person_id} {self.user_agent or self.endpoint[:40]}"

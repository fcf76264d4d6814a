"""E-mails at once: one task per notification of channel ``email``, run by the worker.

The fan-out calls ``enqueue_emails`` (registered with ``hooks.on_notified``) after its
transaction commits; it enqueues ``send_notification`` for each row of channel ``email`` not
yet e-mailed, deferred (``run_after``) to the end of the recipient's quiet hours when it falls
inside them. Nothing here runs in a request: a slow or dead SMTP server delays the e-mail, it
never slows or fails a post.

**At most once.** The task decides to send by setting ``emailed_at`` with one conditional
UPDATE (``emailed_at IS NULL``) in its own transaction, commits, then hands the message to
SMTP outside any transaction (a transaction held open across an SMTP timeout would hold
SQLite's write lock for every writer). If SMTP fails, the claim is undone (``emailed_at`` back
to NULL) and the next attempt is enqueued with the after-commit backoff
(``activity.tasks.backoff``, 12 attempts over ~15 hours): a failing or unreachable server
delays the e-mail, never loses it. A retried or re-run task finds ``emailed_at`` set after a
success and sends nothing: never twice. The one window left is a worker killed between the
claim and the SMTP hand-off (milliseconds): that e-mail is lost, and the notification still
shows in the notification centre. Sending twice is the worse failure for e-mail (people mark
duplicates as spam, which hurts every later e-mail), so the window is on that side.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from rucher.activity.subscribers import DEFAULT_MAX_ATTEMPTS
from rucher.activity.tasks import backoff
from rucher.notifications import hooks, preferences
from rucher.notifications.mail_text import Line, describe
from rucher.notifications.models import Channel, Notification, Settings
from rucher.notifications.unsubscribe import absolute, category_label, link_for
from rucher.people.models import Person

logger = logging.getLogger("rucher.notifications.mail")

HOOK_NAME = "mail"
LANGUAGES = ("fr", "en")


# --- settings of a person ------------------------------------------------------------------


def settings_of(person_ids: Sequence[int]) -> dict[int, Settings]:
    """Each person's e-mail settings; the defaults (unsaved) for those who never set them."""
    found = Settings.objects.in_bulk(list(person_ids))
    return {pk: found.get(pk) or Settings(person_id=pk) for pk in person_ids}


def zone_of(person_settings: Settings) -> ZoneInfo:
    try:
        return ZoneInfo(person_settings.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(django_settings.TIME_ZONE)


def language_of(person_settings: Settings) -> str:
    code = (person_settings.language or "").split("-")[0].lower()
    return code if code in LANGUAGES else django_settings.LANGUAGE_CODE


def quiet_until(person_settings: Settings, now: datetime) -> datetime | None:
    """When the quiet period around ``now`` ends (aware, UTC), or None outside quiet hours.

    Hours are the person's local wall-clock times: 22:00–07:00 crosses midnight; equal bounds
    mean no quiet hours. The end is computed on the local calendar, so a change of daylight
    saving time inside the night moves it with the clocks."""
    start, end = person_settings.quiet_from, person_settings.quiet_until
    if start is None or end is None or start == end:
        return None
    zone = zone_of(person_settings)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:  # across midnight
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return _local(end_day, end, zone).astimezone(ZoneInfo("UTC"))


def _local(day: Any, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)


# --- building messages ---------------------------------------------------------------------


def domain() -> str:
    return urlsplit(django_settings.RUCHER_BASE_URL).hostname or "localhost"


def preferences_url() -> str:
    return absolute(reverse("notification_settings"))


def build_message(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    unsubscribe_url: str,
    language: str,
    message_id: str | None = None,
    connection: BaseEmailBackend | None = None,
) -> EmailMultiAlternatives:
    """A text and HTML message with the RFC 8058 one-click unsubscribe headers.

    ``template`` names ``notifications/email/<template>.txt`` and ``.html``; they render in
    ``language`` (the caller has activated it), user content escaped by the HTML template."""
    context = {
        **context,
        "subject": subject,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url(),
        "base_url": django_settings.RUCHER_BASE_URL.rstrip("/"),
        "language": language,
    }
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    unsubscribe = [f"<{unsubscribe_url}>"]
    if mailto := django_settings.RUCHER_UNSUBSCRIBE_MAILTO:
        unsubscribe.append(f"<mailto:{mailto}?subject=unsubscribe>")
    headers = {
        "List-Unsubscribe": ", ".join(unsubscribe),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies
        "Content-Language": language,
        "Message-ID": message_id or make_msgid("rucher", domain()),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=django_settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_message(
    recipient: Person,
    line: Line,
    person_settings: Settings,
    connection: BaseEmailBackend | None = None,
) -> EmailMultiAlternatives:
    """The e-mail of one notification, in its recipient's language (activated here)."""
    language = language_of(person_settings)
    with translation.override(language):
        return build_message(
            to=recipient.email,
            subject=line.sentence,
            template="notification",
            context={
                "recipient": recipient,
                "line": line,
                "kind_label": category_label(line.kind),
                "url": absolute(line.path),
                "centre_url": absolute(reverse("notifications")),
            },
            unsubscribe_url=link_for(recipient.pk, line.kind),
            language=language,
            message_id=f"<notification.{line.notification_id}.{int(line.at.timestamp())}@{domain()}>",
            connection=connection,
        )


# --- the hook and the task -----------------------------------------------------------------


def enqueue_emails(notification_ids: Sequence[int]) -> None:
    """After the fan-out commits: one task per row of channel ``email`` not yet e-mailed,
    deferred to the end of the recipient's quiet hours (two queries, then the enqueues)."""
    rows = list(
        Notification.objects.filter(
            pk__in=list(notification_ids), channel=Channel.EMAIL, emailed_at__isnull=True
        ).values_list("pk", "recipient_id")
    )
    if not rows:
        return
    people = settings_of(sorted({recipient for _pk, recipient in rows}))
    now = timezone.now()
    for pk, recipient in rows:
        later = quiet_until(people[recipient], now)
        try:
            (send_notification.using(run_after=later) if later else send_notification).enqueue(pk)
        except Exception:
            logger.exception("e-mail of notification %s not enqueued", pk)


def register() -> None:
    """Called from ``NotificationsConfig.ready()``."""
    hooks.on_notified(HOOK_NAME, enqueue_emails)


def _retry(notification_id: int, attempt: int) -> None:
    if attempt >= DEFAULT_MAX_ATTEMPTS:
        logger.error(
            "giving up: notification %s not e-mailed after %d attempts", notification_id, attempt
        )
        return
    try:
        send_notification.using(run_after=timezone.now() + backoff(attempt)).enqueue(
            notification_id, attempt + 1
        )
    except Exception:
        logger.exception(
            "could not enqueue attempt %d for notification %s", attempt + 1, notification_id
        )
        return
    logger.warning(
        "notification %s: e-mail failed (attempt %d of %d): retried later",
        notification_id,
        attempt,
        DEFAULT_MAX_ATTEMPTS,
    )


def send_one(notification_id: int, attempt: int = 1, now: datetime | None = None) -> str:
    """Send the e-mail of one notification if it is still due; what happened, in one word
    (``sent``, ``deferred``, ``skipped``). SMTP errors are raised after the retry is queued."""
    now = now or timezone.now()
    notification = (
        Notification.objects.filter(pk=notification_id, channel=Channel.EMAIL)
        .select_related("recipient")
        .first()
    )
    if notification is None or notification.emailed_at is not None:
        return "skipped"  # sent already (a retry after a success), or gone
    recipient = notification.recipient
    if notification.read_at is not None or not recipient.is_active or not recipient.email:
        return "skipped"  # read in the app meanwhile: the e-mail would tell nothing new
    person_settings = preferences.settings_of(recipient)  # unsaved: the profile's language
    later = quiet_until(person_settings, now)
    if later is not None:  # quiet hours began (or changed) since it was queued
        send_notification.using(run_after=later).enqueue(notification_id, attempt)
        return "deferred"
    language = language_of(person_settings)
    lines = describe(recipient, [notification.pk], language)
    if not lines:
        return "skipped"  # its subject is gone, or the recipient may no longer see it
    message = notification_message(recipient, lines[0], person_settings)
    with transaction.atomic():
        claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
            emailed_at=now
        )
    if not claimed:
        return "skipped"  # another worker claimed it a moment ago
    try:
        message.send()
    except Exception:
        Notification.objects.filter(pk=notification_id, emailed_at=now).update(emailed_at=None)
        _retry(notification_id, attempt)
        raise
    return "sent"


@task()
def send_notification(notification_id: int, attempt: int = 1) -> str:
    """The worker's task: ``send_one``; a failed attempt has queued the next and fails."""
    return send_one(notification_id, attempt)


def open_connection() -> BaseEmailBackend:
    """One SMTP connection for many messages (the digests): opened once, reused."""
    connection = get_connection()
    connection.open()
    return connection

"""Daily and weekly digests: what waited for the digest, and the best of the stream unseen.

**Who, when.** A person's digest is on while one of their preferences chooses it
(``unsubscribe.digest_on``). It is *due* when its last scheduled moment (their local
``digest_hour``, every day or on ``digest_weekday``) has passed, by less than
``RUCHER_DIGEST_CATCH_UP_HOURS`` (a worker down at 8:00 and back at 9:00 still sends the
8:00 digest; one back at 17:00 does not send a morning digest in the evening), and
``last_daily_digest_at`` / ``last_weekly_digest_at`` is before that moment.

**What.** The person's notifications of that channel not yet e-mailed (still visible to them:
the read policy is checked again), then the most engaging items of their home stream
(``streams.queries.build_home``: the read policy, their spaces and follows, their mutes and
hidden tags) published since the previous digest, not written by them and not opened by them
(no ``viewed`` event), at most ``MAX_ITEMS`` lines in all. Nothing to say: no e-mail.

**Once per period, safe with two workers.** People are taken in batches; for each batch one
short transaction *claims* the due people (a conditional UPDATE of ``last_*_digest_at``
from before the moment to a claim stamp, read back: whoever wrote the stamp owns the person)
and marks their waiting notifications e-mailed with the same stamp. Messages are built and
handed to SMTP outside any transaction, over one connection for the whole run. If SMTP fails,
the unsent people's claims and notifications are put back as they were (the next tick sends
them) and the run stops. At most once, as the e-mails at once (``mail.py``): a worker killed
between a claim and the hand-off loses those digests, never doubles them.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from rucher.activity.models import Event
from rucher.conversations.models import Content
from rucher.notifications.mail import (
    build_message,
    domain,
    language_of,
    open_connection,
    settings_of,
    zone_of,
)
from rucher.notifications.mail_text import EXCERPT_LENGTH, Line, describe_many, shorten
from rucher.notifications.models import Channel, Notification, Settings
from rucher.notifications.preferences import default_language
from rucher.notifications.queries import content_title
from rucher.notifications.unsubscribe import absolute, digest_on, link_for
from rucher.people.models import Person
from rucher.streams import prepared
from rucher.streams.queries import home_items

logger = logging.getLogger("rucher.notifications.digests")

PERIODS = {Channel.DAILY.value: timedelta(days=1), Channel.WEEKLY.value: timedelta(days=7)}
LAST_FIELD = {
    Channel.DAILY.value: "last_daily_digest_at",
    Channel.WEEKLY.value: "last_weekly_digest_at",
}
MAX_ITEMS = 10  # lines in a digest: notifications first, then stream items
STREAM_SCAN = 200  # newest home items since the last digest read per person, then ranked
BATCH = 200  # people per claim and per batch of queries


@dataclass(frozen=True)
class StreamItem:
    content_id: int
    title: str
    excerpt: str
    author: str
    space: str
    path: str
    reactions: int
    comments: int
    at: datetime


@dataclass
class Digest:
    person: Person
    channel: str
    language: str
    lines: list[Line]
    items: list[StreamItem]
    more_notifications: int = 0

    @property
    def empty(self) -> bool:
        return not self.lines and not self.items


@dataclass
class Run:
    """What a run did (``rucher digests`` prints it; the benchmark reads it)."""

    due: int = 0
    claimed: int = 0
    sent: int = 0
    empty: int = 0
    failed: int = 0
    by_channel: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    finished: bool = True


# --- when ----------------------------------------------------------------------------------


def last_moment(person_settings: Settings, channel: str, now: datetime) -> datetime:
    """The latest scheduled moment of this digest at or before ``now`` (aware)."""
    zone = zone_of(person_settings)
    local = now.astimezone(zone)
    hour = min(int(person_settings.digest_hour), 23)
    moment = datetime.combine(local.date(), datetime.min.time(), tzinfo=zone).replace(hour=hour)
    if channel == Channel.WEEKLY:
        moment -= timedelta(days=(local.weekday() - int(person_settings.digest_weekday)) % 7)
    if moment > local:
        moment -= PERIODS[channel]
    return moment


def is_due(person_settings: Settings, channel: str, now: datetime) -> datetime | None:
    """The moment this digest is due for (None: not due now)."""
    moment = last_moment(person_settings, channel, now)
    if now - moment > timedelta(hours=django_settings.RUCHER_DIGEST_CATCH_UP_HOURS):
        return None
    last = getattr(person_settings, LAST_FIELD[channel])
    if last is not None and last >= moment:
        return None
    return moment


# --- who -----------------------------------------------------------------------------------


def candidates(usernames: Sequence[str] | None = None) -> list[int]:
    """Active people with an e-mail address (the ids, in order)."""
    people = Person.objects.filter(is_active=True).exclude(email="")
    if usernames:
        people = people.filter(username__in=list(usernames))
    return list(people.order_by("pk").values_list("pk", flat=True))


def _claim(
    channel: str,
    due: dict[int, datetime],
    known: set[int],
    stamp: datetime,
    languages: dict[int, str] | None = None,
) -> tuple[set[int], dict[int, list[int]]]:
    """Claim the due people and their waiting notifications, in one transaction."""
    last = LAST_FIELD[channel]
    missing = [pk for pk in due if pk not in known]
    mine: set[int] = set()
    with transaction.atomic():
        if missing:  # people who never saved their settings: the defaults, saved now
            Settings.objects.bulk_create(
                [
                    Settings(person_id=pk, language=(languages or {}).get(pk, "fr"))
                    for pk in missing
                ],
                ignore_conflicts=True,
            )
        by_moment: dict[datetime, list[int]] = defaultdict(list)
        for pk, moment in due.items():
            by_moment[moment].append(pk)
        for moment, ids in by_moment.items():
            Settings.objects.filter(
                Q(**{f"{last}__isnull": True}) | Q(**{f"{last}__lt": moment}), person_id__in=ids
            ).update(**{last: stamp})
        mine = set(
            Settings.objects.filter(person_id__in=list(due), **{last: stamp}).values_list(
                "person_id", flat=True
            )
        )
        waiting = Notification.objects.filter(
            recipient_id__in=list(mine), channel=channel, emailed_at__isnull=True
        )
        notifications: dict[int, list[int]] = defaultdict(list)
        for pk, recipient in waiting.values_list("pk", "recipient_id"):
            notifications[recipient].append(pk)
        if notifications:
            waiting.filter(pk__in=[pk for ids in notifications.values() for pk in ids]).update(
                emailed_at=stamp
            )
    return mine, notifications


def _release(
    channel: str, people: Sequence[int], previous: dict[int, datetime | None], stamp: datetime
) -> None:
    """Put back what a failed hand-off claimed: the next tick sends it."""
    last = LAST_FIELD[channel]
    with transaction.atomic():
        Notification.objects.filter(
            recipient_id__in=list(people), channel=channel, emailed_at=stamp
        ).update(emailed_at=None)
        for pk in people:
            Settings.objects.filter(person_id=pk, **{last: stamp}).update(
                **{last: previous.get(pk)}
            )


# --- what ----------------------------------------------------------------------------------


def _viewed(people: Sequence[int], content_ids: set[int]) -> set[tuple[int, int]]:
    """(person, content) pairs already opened: one query for the batch."""
    if not content_ids:
        return set()
    rows = Event.objects.filter(
        verb="viewed", actor_id__in=list(people), object_id__in=list(content_ids)
    ).values_list("actor_id", "object_id")
    return {(actor, item) for actor, item in rows if item is not None}


@dataclass(frozen=True)
class Candidate:
    content_id: int
    author_id: int
    engagement: int
    created_at: datetime


_DIGEST_SHAPES = prepared.ShapeCache(limit=8)


def _stream_candidates(person: Person, since: datetime) -> list[Candidate]:
    """The person's home stream since ``since``, newest first (at most ``STREAM_SCAN``).

    The home stream's own expression (``streams.queries.home_items``: the read policy, the
    person's spaces and follows, their mutes and hidden tags), bounded by time: a digest wants
    what is new, and a newest-first page of the whole stream (``build_home``) may scan deep
    for a person whose spaces are quiet. Prepared once per shape (``streams.prepared``): one
    statement per person, no ORM building."""
    shape = ("digest", person.is_guest)

    def build() -> QuerySet[Any]:
        stand_in = prepared.StandInReader(is_guest=person.is_guest)
        return (
            home_items(stand_in)
            .filter(created_at__gte=prepared.AT)
            # A confidential space's posts are read where each read is recorded, not in an
            # e-mail: a digest never picks them (its notifications say "confidential content").
            .exclude(space__confidential=True)
            .order_by("-created_at", "-id")
            .values_list("id", "author_id", "reaction_count", "comment_count", "created_at")[
                :STREAM_SCAN
            ]
        )

    query = _DIGEST_SHAPES.get(shape, build, {"reader", "at"})
    rows = query.rows({"reader": person.pk, "at": since})
    return [
        Candidate(pk, author, reactions + 2 * comments, _aware(at))
        for pk, author, reactions, comments, at in rows
        if author != person.pk
    ]


def _aware(value: Any) -> datetime:
    """A datetime column as the driver returned it (SQLite: a string), aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _contents(ids: set[int]) -> dict[int, Content]:
    """The chosen items of a whole batch, in one query (already filtered by the policy)."""
    if not ids:
        return {}
    return Content.objects.select_related("author", "space").order_by().in_bulk(list(ids))


def _item(content: Content) -> StreamItem:
    confidential = content.space is not None and content.space.confidential
    return StreamItem(
        content_id=content.pk,
        title=content_title(content),
        excerpt="" if confidential else shorten(content.text, EXCERPT_LENGTH),
        author=content.author.display_name,
        space=content.space.name if content.space is not None else "",
        path=reverse("content", args=[content.pk]),
        reactions=content.reaction_count,
        comments=content.comment_count,
        at=content.created_at,
    )


def build_digests(
    channel: str,
    people: dict[int, Person],
    notifications: dict[int, list[int]],
    since: dict[int, datetime],
    languages: dict[int, str],
) -> list[Digest]:
    """The digests of a batch of people (empty ones included: the caller drops them)."""
    lines = describe_many(people, notifications, languages)
    streams = {pk: _stream_candidates(person, since[pk]) for pk, person in people.items()}
    viewed = _viewed(list(people), {c.content_id for items in streams.values() for c in items})
    chosen: dict[int, list[int]] = {}
    shown: dict[int, list[Line]] = {}
    for pk in people:
        mine = lines.get(pk, [])
        shown[pk] = mine[:MAX_ITEMS]
        told = {line.path.split("#")[0] for line in mine}
        unseen = [
            c
            for c in streams[pk]
            if (pk, c.content_id) not in viewed
            and reverse("content", args=[c.content_id]) not in told
        ]
        unseen.sort(key=lambda c: (c.engagement, c.created_at), reverse=True)
        chosen[pk] = [c.content_id for c in unseen[: max(MAX_ITEMS - len(shown[pk]), 0)]]
    contents = _contents({content_id for ids in chosen.values() for content_id in ids})
    return [
        Digest(
            person,
            channel,
            languages[pk],
            shown[pk],
            [_item(contents[c]) for c in chosen[pk] if c in contents],
            more_notifications=len(lines.get(pk, [])) - len(shown[pk]),
        )
        for pk, person in people.items()
    ]


# --- how it reads --------------------------------------------------------------------------


def subject_of(digest: Digest) -> str:
    parts = []
    count = len(digest.lines) + digest.more_notifications
    if count:
        parts.append(
            ngettext("%(count)d notification", "%(count)d notifications", count) % {"count": count}
        )
    if digest.items:
        parts.append(
            ngettext("%(count)d post", "%(count)d posts", len(digest.items))
            % {"count": len(digest.items)}
        )
    summary = ", ".join(parts)
    if digest.channel == Channel.WEEKLY:
        return _("Your weekly summary on rucher: %(summary)s") % {"summary": summary}
    return _("Your daily summary on rucher: %(summary)s") % {"summary": summary}


def digest_message(
    digest: Digest, stamp: datetime, connection: BaseEmailBackend | None = None
) -> EmailMultiAlternatives:
    with translation.override(digest.language):
        weekly = digest.channel == Channel.WEEKLY
        return build_message(
            to=digest.person.email,
            subject=subject_of(digest),
            template="digest",
            context={
                "digest": digest,
                "weekly": weekly,
                "lines": [(line, absolute(line.path)) for line in digest.lines],
                "items": [(item, absolute(item.path)) for item in digest.items],
                "home_url": absolute(reverse("home")),
                "centre_url": absolute(reverse("notifications")),
                "recipient": digest.person,
            },
            unsubscribe_url=link_for(digest.person.pk, digest.channel),
            language=digest.language,
            message_id=(
                f"<digest.{digest.channel}.{digest.person.pk}.{int(stamp.timestamp())}@{domain()}>"
            ),
            connection=connection,
        )


# --- the run -------------------------------------------------------------------------------


def _stamp(now: datetime) -> datetime:
    """A claim stamp no other run holds: ``now`` with random microseconds."""
    return now.replace(microsecond=random.randrange(1_000_000))


def send_due_digests(
    now: datetime | None = None,
    *,
    usernames: Sequence[str] | None = None,
    force: bool = False,
    channels: Sequence[str] = (Channel.DAILY.value, Channel.WEEKLY.value),
    progress: Callable[[int, int], None] | None = None,
    budget_seconds: float | None = None,
    connection: BaseEmailBackend | None = None,
) -> Run:
    """Send every digest due at ``now``. ``force``: as if due now (``rucher digests --now``),
    still once per period (a person already sent one since the last moment is skipped).
    ``budget_seconds``: stop after this long (the worker's task continues in a new task);
    ``run.finished`` says whether everyone was seen."""
    now = now or timezone.now()
    started = time.monotonic()
    run = Run()
    people_ids = candidates(usernames)
    total = len(people_ids) * len(channels)
    done = 0
    owned = connection is None
    connection = connection or open_connection()
    try:
        for channel in channels:
            for start in range(0, len(people_ids), BATCH):
                if budget_seconds is not None and time.monotonic() - started > budget_seconds:
                    run.finished = False
                    return run
                batch = people_ids[start : start + BATCH]
                _run_batch(channel, batch, now, force, connection, run)
                done += len(batch)
                if progress is not None:
                    progress(done, total)
    finally:
        if owned:
            connection.close()
    return run


def _run_batch(
    channel: str,
    batch: Sequence[int],
    now: datetime,
    force: bool,
    connection: BaseEmailBackend,
    run: Run,
) -> None:
    on = digest_on(batch, channel)
    if not on:
        return
    people_settings = settings_of([pk for pk in batch if pk in on])
    known = {pk for pk, s in people_settings.items() if not s._state.adding}
    due: dict[int, datetime] = {}
    for pk, person_settings in people_settings.items():
        if force:
            last = getattr(person_settings, LAST_FIELD[channel])
            moment = now - timedelta(microseconds=1)
            if last is None or last < now - PERIODS[channel] / 2:
                due[pk] = moment
        elif moment_due := is_due(person_settings, channel, now):
            due[pk] = moment_due
    if not due:
        return
    run.due += len(due)
    stamp = _stamp(now)
    everyone = Person.objects.in_bulk(list(due))
    profile_languages = {pk: default_language(person) for pk, person in everyone.items()}
    mine, notifications = _claim(channel, due, known, stamp, profile_languages)
    run.claimed += len(mine)
    if not mine:
        return
    previous = {pk: getattr(people_settings[pk], LAST_FIELD[channel]) for pk in mine}
    people = {pk: person for pk, person in everyone.items() if pk in mine}
    since = {pk: max(filter(None, [previous[pk], now - PERIODS[channel]])) for pk in people}
    # Never chose a language: the profile's (the centre's default), not the site's.
    languages = {
        pk: language_of(people_settings[pk]) if pk in known else default_language(person)
        for pk, person in people.items()
    }
    digests = build_digests(channel, people, notifications, since, languages)
    unsent = [d.person.pk for d in digests]
    try:
        for digest in digests:
            if digest.empty:
                run.empty += 1
            else:
                connection.send_messages([digest_message(digest, stamp)])
                run.sent += 1
                run.by_channel[channel] += 1
            unsent.remove(digest.person.pk)
    except Exception:
        run.failed += len(unsent)
        _release(channel, unsent, previous, stamp)
        raise


# --- the worker's tick ---------------------------------------------------------------------

TASK_PATH = "rucher.notifications.digests.send_due_digests_task"


@task()
def send_due_digests_task() -> dict[str, Any]:
    """The worker's digest task: sends for half the lease at most, then hands the rest of the
    run to a new task (claims make the overlap harmless)."""
    run = send_due_digests(budget_seconds=django_settings.RUCHER_TASK_LEASE_SECONDS / 3)
    if not run.finished:
        send_due_digests_task.enqueue()
    return {"sent": run.sent, "empty": run.empty, "due": run.due, "finished": run.finished}


def enqueue_due_digests() -> bool:
    """The worker's periodic tick: enqueue a digest run unless one is already waiting or
    running (a plain read; two workers ticking at once may both enqueue: harmless)."""
    waiting = DBTaskResult.objects.filter(
        task_path=TASK_PATH, status__in=("READY", "RUNNING")
    ).exists()
    if waiting:
        return False
    send_due_digests_task.enqueue()
    return True

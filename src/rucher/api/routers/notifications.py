"""/api/v1/notifications: the caller's notification centre and how they want to be told.

- ``GET /notifications``: newest first, cursor-paginated ``{"items": [...], "next": ...}``;
  a notification about something the caller may no longer see is not listed (the read
  policy is checked again when shown: ``notifications/queries.py``).
- ``GET /notifications/unread-count``: ``{"unread": n}``, one query.
- ``POST /notifications/read``: ``{"ids": [...]}`` or ``{"all": true}``. Ids that are not the
  caller's (unknown, someone else's, already read) are **ignored**, not a 404: marking read is
  idempotent, and a 404 would tell whether an id exists. The answer says how many were marked
  and what is left unread.
- ``GET /notifications/preferences`` and ``PUT``: each section sent (``kinds``, ``spaces``,
  ``topics``, ``settings``) replaces that section; a section left out is unchanged; an
  unknown kind, channel, language, time zone or hour is a 422 with the reason, and nothing is
  written. ``push`` (``{kind: true|false}``) says which kinds go to the caller's devices.
- ``GET /notifications/push-subscriptions``: the server's public key (a browser's
  ``applicationServerKey``) and the caller's devices; ``POST`` (a browser's
  ``PushSubscription.toJSON()``: endpoint and keys) adds this device, ``DELETE`` (``{"endpoint":
  ...}``) or ``DELETE /notifications/push-subscriptions/{id}`` removes one of the caller's own
  (someone else's, or unknown: 404). Web push: docs/notifications.md.

Reading and marking one's notifications is not an event of the network: nothing is appended
to the event log (docs/architecture.md, "Notifications").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import StrictBool

from rucher.api.auth import caller
from rucher.api.schemas import ErrorOut, Id, ObjectBody, Text
from rucher.errors import Invalid
from rucher.notifications import inbox, preferences, push, queries
from rucher.notifications.queries import Shown

router = Router(tags=["notifications"])

ERRORS = {404: ErrorOut, 403: ErrorOut, 422: ErrorOut}


class SubjectOut(Schema):
    type: str
    id: int
    title: str


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    actors: list[str]
    actor_count: int
    subject: SubjectOut
    created_at: datetime
    updated_at: datetime
    read: bool


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next: str | None


class UnreadOut(Schema):
    unread: int


class ReadIn(Schema):
    ids: list[Id] | None = None
    all: StrictBool = False


class ReadOut(Schema):
    marked: int
    unread: int


class SpaceWatchIn(Schema):
    space_id: Id
    channel: Text


class SpaceWatchOut(Schema):
    space_id: int
    name: str
    channel: str


class TopicWatchIn(Schema):
    topic: Text
    channel: Text


class TopicWatchOut(Schema):
    topic: str
    channel: str


class SettingsIn(Schema):
    language: Text | None = None
    time_zone: Text | None = None
    quiet_from: Text | None = None
    quiet_until: Text | None = None
    digest_hour: Id | None = None
    digest_weekday: Id | None = None


class SettingsOut(Schema):
    language: str
    time_zone: str
    quiet_from: str | None
    quiet_until: str | None
    digest_hour: int
    digest_weekday: int


class PreferencesIn(ObjectBody):
    kinds: dict[Text, Text] | None = None
    spaces: list[SpaceWatchIn] | None = None
    topics: list[TopicWatchIn] | None = None
    settings: SettingsIn | None = None
    push: dict[Text, StrictBool] | None = None


class PreferencesOut(Schema):
    kinds: dict[str, str]
    spaces: list[SpaceWatchOut]
    topics: list[TopicWatchOut]
    settings: SettingsOut
    push: dict[str, bool]


class PushKeysIn(Schema):
    p256dh: Text | None = None
    auth: Text | None = None


class PushSubscriptionIn(ObjectBody):
    """A browser's ``PushSubscription.toJSON()`` (``expirationTime`` is ignored)."""

    endpoint: Text | None = None
    keys: PushKeysIn | None = None
    expirationTime: float | None = None  # the browser's name for it


class PushEndpointIn(ObjectBody):
    endpoint: Text | None = None


class PushSubscriptionOut(Schema):
    id: int
    endpoint: str
    device: str
    created_at: datetime
    last_success_at: datetime | None


class PushSubscriptionsOut(Schema):
    public_key: str
    items: list[PushSubscriptionOut]


def notification_out(shown: Shown) -> dict[str, Any]:
    return {
        "id": shown.id,
        "kind": shown.kind,
        "text": shown.text,
        "url": shown.url,
        "actors": shown.actors,
        "actor_count": shown.actor_count,
        "subject": {
            "type": shown.subject.type,
            "id": shown.subject.id,
            "title": shown.subject.title,
        },
        "created_at": shown.created_at,
        "updated_at": shown.updated_at,
        "read": shown.read,
    }


def preferences_out(choices: preferences.Choices) -> dict[str, Any]:
    settings = choices.settings
    assert settings is not None

    def hhmm(value: Any) -> str | None:
        return value.strftime("%H:%M") if value is not None else None

    return {
        "kinds": choices.kinds,
        "spaces": [
            {"space_id": w.id, "name": w.name, "channel": w.channel} for w in choices.spaces
        ],
        "topics": [{"topic": w.name, "channel": w.channel} for w in choices.topics],
        "settings": {
            "language": settings.language,
            "time_zone": settings.time_zone,
            "quiet_from": hhmm(settings.quiet_from),
            "quiet_until": hhmm(settings.quiet_until),
            "digest_hour": settings.digest_hour,
            "digest_weekday": settings.digest_weekday,
        },
        "push": choices.push,
    }


@router.get(
    "/notifications",
    response={200: NotificationPageOut, 422: ErrorOut},
    summary="My notifications, newest first",
)
def notifications(
    request: HttpRequest,
    cursor: Text | None = None,
    limit: int | None = None,
    unread: bool = False,
) -> dict[str, Any]:
    """Newest first (by the time of the latest event folded in). A notification about
    something I may no longer see is not listed. ``unread=true``: the unread ones only."""
    page = queries.page(caller(request), cursor, limit, unread_only=unread)
    return {"items": [notification_out(s) for s in page.items], "next": page.next_cursor}


@router.get(
    "/notifications/unread-count",
    response={200: UnreadOut},
    summary="How many unread notifications I have",
)
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": queries.unread_count(caller(request))}


@router.post(
    "/notifications/read",
    response={200: ReadOut, 422: ErrorOut},
    summary="Mark some or all of my notifications read",
)
def mark_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    """``{"ids": [...]}`` (at most 500) or ``{"all": true}``. Ids that are unknown, someone
    else's or already read are ignored (never a 404, which would tell that an id exists)."""
    person = caller(request)
    if payload.all and payload.ids is not None:
        raise Invalid(_("send either ids or all, not both"))
    if payload.all:
        marked = inbox.mark_all_read(person)
    elif payload.ids is not None:
        marked = inbox.mark_read(person, payload.ids)
    else:
        raise Invalid(_("send the ids to mark read, or all: true"))
    return {"marked": marked, "unread": queries.unread_count(person)}


@router.get(
    "/notifications/preferences",
    response={200: PreferencesOut},
    summary="How I want to be told",
)
def get_preferences(request: HttpRequest) -> dict[str, Any]:
    return preferences_out(preferences.choices_of(caller(request)))


@router.put(
    "/notifications/preferences",
    response={200: PreferencesOut, **ERRORS},
    summary="Change how I want to be told (each section sent replaces it)",
)
def put_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    """Each section sent (kinds, spaces, topics, settings) replaces that section; a section
    left out is unchanged. Any invalid value: 422 with the reason, and nothing is written."""
    person = caller(request)
    spaces = None
    if payload.spaces is not None:
        spaces = {watch.space_id: watch.channel for watch in payload.spaces}
    topics = None
    if payload.topics is not None:
        topics = {watch.topic: watch.channel for watch in payload.topics}
    settings = payload.settings.model_dump(exclude_unset=True) if payload.settings else None
    choices = preferences.replace_choices(
        person,
        kinds=payload.kinds,
        spaces=spaces,
        topics=topics,
        settings=settings,
        push=payload.push,
    )
    return preferences_out(choices)


def subscription_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "endpoint": row.endpoint,
        "device": row.user_agent,
        "created_at": row.created_at,
        "last_success_at": row.last_success_at,
    }


@router.get(
    "/notifications/push-subscriptions",
    response={200: PushSubscriptionsOut},
    summary="The server's web push key and my devices",
)
def push_subscriptions(request: HttpRequest) -> dict[str, Any]:
    """``public_key``: the VAPID public key (base64url), a browser's ``applicationServerKey``."""
    devices = push.devices_of(caller(request))
    return {"public_key": push.public_key(), "items": [subscription_out(d) for d in devices]}


@router.post(
    "/notifications/push-subscriptions",
    response={201: PushSubscriptionOut, **ERRORS},
    summary="Push my notifications to this browser",
)
def add_push_subscription(request: HttpRequest, payload: PushSubscriptionIn) -> Status[Any]:
    """The body is the browser's ``PushSubscription.toJSON()``: ``{"endpoint": "https://…",
    "keys": {"p256dh": "…", "auth": "…"}}``. The endpoint must be an https address of a known
    push service; ``p256dh`` a base64url uncompressed P-256 key (65 bytes), ``auth`` 16 bytes
    base64url: 422 with the reason otherwise."""
    keys = payload.keys or PushKeysIn()
    row = push.subscribe(
        caller(request),
        payload.endpoint,
        keys.p256dh,
        keys.auth,
        request.headers.get("User-Agent", ""),
    )
    return Status(201, subscription_out(row))


@router.delete(
    "/notifications/push-subscriptions",
    response={204: None, **ERRORS},
    summary="Stop pushing to this browser",
)
def delete_push_subscription(request: HttpRequest, payload: PushEndpointIn) -> Status[None]:
    """``{"endpoint": "…"}``: one of my devices (someone else's or unknown: 404)."""
    push.unsubscribe(caller(request), payload.endpoint)
    return Status(204, None)


@router.delete(
    "/notifications/push-subscriptions/{subscription_id}",
    response={204: None, **ERRORS},
    summary="Stop pushing to one of my devices",
)
def delete_push_subscription_by_id(request: HttpRequest, subscription_id: int) -> Status[None]:
    push.remove(caller(request), subscription_id)
    return Status(204, None)

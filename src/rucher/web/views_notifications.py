"""The notification centre's pages: the bell's drop-down, /notifications/ and the settings
page /settings/notifications/. Marking read and choosing channels are the person's own inbox
state (``notifications.inbox`` and ``notifications.preferences``), not actions: no event."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dates import WEEKDAYS as DJANGO_WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rucher.errors import ActionError, Invalid
from rucher.notifications import inbox, preferences, push, queries
from rucher.notifications.models import DEFAULT_CHANNELS, Channel, Kind
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.web.common import is_htmx, parse_id, user
from rucher.web.errors import translate_action_errors

logger = logging.getLogger("rucher.notifications.push")

MENU_SIZE = 8
PUSH_API = "/api/v1/notifications/push-subscriptions"  # push.js subscribes this device there
# Django's own translated weekday names (0 = Monday, as Settings.digest_weekday).
WEEKDAYS = sorted(DJANGO_WEEKDAYS.items())


@login_required
@translate_action_errors
def notifications(request: HttpRequest) -> HttpResponse:
    person = user(request)
    page = queries.page(person, request.GET.get("cursor") or None)
    context = {"page": page}
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "notifications/_page.html", context)
    return render(request, "notifications/page.html", context)


def _menu(request: HttpRequest, person: Person) -> HttpResponse:
    return render(
        request,
        "notifications/_menu.html",
        {"items": queries.latest(person, MENU_SIZE), "unread": queries.unread_count(person)},
    )


@login_required
def menu(request: HttpRequest) -> HttpResponse:
    """The bell's drop-down (an HTMX fragment; without HTMX the bell links to the page)."""
    person = user(request)
    if not is_htmx(request):
        return redirect("notifications")
    return _menu(request, person)


@login_required
@require_POST
@translate_action_errors
def mark_read(request: HttpRequest) -> HttpResponse:
    person = user(request)
    if request.POST.get("all"):
        inbox.mark_all_read(person)
    else:
        ids = [parse_id(value, _("notification")) for value in request.POST.getlist("ids")]
        inbox.mark_read(person, ids)
    if is_htmx(request) and request.POST.get("from") == "menu":
        return _menu(request, person)
    return redirect("notifications")


@login_required
@translate_action_errors
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification: mark it read, then go to what it is about."""
    person = user(request)
    found = queries.shown_by_id(person, [parse_id(notification_id)])
    if not found:
        raise Http404(_("notification not found"))
    inbox.mark_read(person, [found[0].id])
    return redirect(found[0].url)


# --- settings ------------------------------------------------------------------------------


def _number(value: str | None, what: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise Invalid(_("%(field)s must be a whole number") % {"field": what}) from None


def _posted_choices(request: HttpRequest, current: preferences.Choices) -> dict[str, Any]:
    """The settings form's fields as ``preferences.replace_choices`` arguments."""
    post = request.POST
    kinds = {
        kind: post[f"kind-{kind}"]
        for kind in Kind.values
        if post.get(f"kind-{kind}") and post[f"kind-{kind}"] != DEFAULT_CHANNELS[kind]
    }
    spaces: dict[int, Any] = {}
    for watch in current.spaces:
        channel = post.get(f"space-{watch.id}", watch.channel)
        if channel:  # empty: stop watching
            spaces[watch.id] = channel
    if post.get("add_space"):
        spaces[parse_id(post["add_space"], _("space"))] = post.get("add_space_channel") or "app"
    topics: dict[str, Any] = {}
    for watch in current.topics:
        channel = post.get(f"topic-{watch.id}", watch.channel)
        if channel:
            topics[watch.name] = channel
    if post.get("add_topic", "").strip():
        topics[post["add_topic"]] = post.get("add_topic_channel") or "app"
    settings: dict[str, Any] = {}
    for name in ("language", "time_zone", "quiet_from", "quiet_until"):
        if name in post:
            settings[name] = post[name]
    hour = _number(post.get("digest_hour"), _("the digest's hour"))
    weekday = _number(post.get("digest_weekday"), _("the digest's weekday"))
    if hour is not None:
        settings["digest_hour"] = hour
    if weekday is not None:
        settings["digest_weekday"] = weekday
    pushed = None
    if post.get("push_section"):  # the checkboxes: one not sent is unchecked
        pushed = {kind: bool(post.get(f"push-{kind}")) for kind in Kind.values}
    return {
        "kinds": kinds,
        "spaces": spaces,
        "topics": topics,
        "settings": settings,
        "push": pushed,
    }


def _settings_page(
    request: HttpRequest,
    person: Person,
    choices: preferences.Choices,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    watched = {watch.id for watch in choices.spaces}
    addable = [
        space
        for space in permissions.readable_spaces(person).only("pk", "name").order_by("name")
        if space.pk not in watched
    ]
    kinds = [(kind, label, choices.kinds[kind]) for kind, label in Kind.choices]
    try:
        key = push.public_key()
    except ImproperlyConfigured:  # a wrong RUCHER_VAPID_* setting: the rest of the page works
        logger.exception("web push keys")
        key = ""
    return render(
        request,
        "notifications/settings.html",
        {
            "choices": choices,
            "kinds": kinds,
            "channels": Channel.choices,
            "addable_spaces": addable,
            "time_zones": preferences.time_zones(),
            "hours": range(24),
            "weekdays": WEEKDAYS,
            "push_kinds": [
                (kind, label, choices.push.get(kind, False)) for kind, label in Kind.choices
            ],
            "push_public_key": key,
            "push_api": PUSH_API if key else "",  # no key: "cannot receive" (push.js)
            "push_devices": push.devices_of(person),
            "error": error,
        },
        status=status,
    )


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    person = user(request)
    current = preferences.choices_of(person)
    if request.method != "POST":
        return _settings_page(request, person, current)
    try:
        preferences.replace_choices(person, **_posted_choices(request, current))
    except ActionError as error:
        return _settings_page(request, person, current, error.message, error.status)
    messages.success(request, _("Your notification settings were saved."))
    return redirect("notification_settings")

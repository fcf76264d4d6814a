"""``GET /events/``: a person's event stream, as a native ASGI application.

An open stream costs a queue and a coroutine, not a thread: the server's threads stay for
the pages (``rucher/asgi.py`` sends every other path to the WSGI application). The person is
the session's (signed-in pages) or an API token's (``Authorization: Bearer``); anybody else
gets a 401 and no stream. ``?content=<id>`` also follows the replies under that
conversation (a root the person may read; else 404, as for the page); ``?conversation=<id>``
the new messages of a direct-message conversation the person takes part in (else 404). The
stream resumes after ``Last-Event-ID`` (or ``?since=``, for a first connection that knows where
it stands).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from http.cookies import CookieError, SimpleCookie
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from django import db
from django.conf import settings
from django.contrib import auth
from django.db import close_old_connections
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rucher.live import audience, hub, wire
from rucher.people.models import AccessToken, Person, hash_token

logger = logging.getLogger("rucher.live")

PATH = "/events/"

Scope = dict[str, Any]
Receive = Any
Send = Any


def _session_person(cookie_header: str) -> Person | None:
    try:
        cookies = SimpleCookie(cookie_header)
    except CookieError:
        return None
    morsel = cookies.get(settings.SESSION_COOKIE_NAME)
    if morsel is None:
        return None
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(morsel.value)
    # Django's own check: the session's user, and the session's hash of their password.
    user = auth.get_user(request)
    return user if isinstance(user, Person) else None


def _token_person(authorization: str) -> Person | None:
    kind, _, raw = authorization.partition(" ")
    if kind.lower() != "bearer" or not raw.strip() or len(raw) > 200:
        return None
    token = (
        AccessToken.objects.select_related("person")
        .filter(token_hash=hash_token(raw.strip()), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .first()
    )
    return token.person if token is not None else None


def authenticate(headers: dict[str, str]) -> Person | None:
    """The signed-in, active person of these request headers, or None."""
    if "authorization" in headers:
        person = _token_person(headers["authorization"])
    else:
        person = _session_person(headers.get("cookie", ""))
    return person if person is not None and person.is_active else None


def _check(
    headers: dict[str, str], watching: int | None, conversation: int | None = None
) -> tuple[int, Person | None]:
    """Who, and may they watch that conversation (in a thread of the loop's pool, whose
    database connection is closed afterwards: streams open rarely, threads live long)."""
    close_old_connections()
    try:
        person = authenticate(headers)
        if person is None:
            return 401, None
        if watching is not None and not audience.may_watch(person, watching):
            return 404, person
        if conversation is not None and not audience.may_follow_conversation(person, conversation):
            return 404, person
        return 200, person
    finally:
        db.connection.close()


def _language(headers: dict[str, str]) -> str:
    """The language the pages would answer in (language cookie, then Accept-Language)."""
    request = HttpRequest()
    request.META["HTTP_ACCEPT_LANGUAGE"] = headers.get("accept-language", "")
    with contextlib.suppress(CookieError):
        request.COOKIES = {k: m.value for k, m in SimpleCookie(headers.get("cookie", "")).items()}
    return translation.get_language_from_request(request)


async def _answer(send: Send, status: int, detail: Promise | str, language: str) -> None:
    with translation.override(language):
        body = json.dumps({"detail": str(detail)}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _disconnected(receive: Receive, connection: hub.Connection) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            connection.end()
            return


async def events(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application of ``/events/``."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    language = _language(headers)
    if scope["method"] not in ("GET", "HEAD"):
        await _answer(send, 405, _("the event stream is read with GET"), language)
        return
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    watching = None
    if "content" in query:
        watching = wire.parse_event_id(query["content"][0])
        if watching is None:
            await _answer(send, 404, _("content not found"), language)
            return
    conversation = None
    if "conversation" in query:
        conversation = wire.parse_event_id(query["conversation"][0])
        if conversation is None:
            await _answer(send, 404, _("conversation not found"), language)
            return
    resume_after = wire.parse_event_id(headers.get("last-event-id")) or wire.parse_event_id(
        (query.get("since") or [None])[0]
    )
    loop = asyncio.get_running_loop()
    status, person = await loop.run_in_executor(None, _check, headers, watching, conversation)
    if status == 401 or person is None:
        await _answer(send, 401, _("sign in to receive live updates"), language)
        return
    if status == 404:
        what = _("content not found") if conversation is None else _("conversation not found")
        await _answer(send, 404, what, language)
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-store"),
                # nginx buffers responses unless told not to (docs/live-updates.md).
                (b"x-accel-buffering", b"no"),
            ],
        }
    )
    if scope["method"] == "HEAD":
        await send({"type": "http.response.body", "body": b""})
        return
    the_hub = hub.hub_for(loop)
    connection = the_hub.open(person.pk, watching, resume_after, conversation)
    gone = asyncio.ensure_future(_disconnected(receive, connection))
    try:
        await send({"type": "http.response.body", "body": wire.RETRY, "more_body": True})
        # One await per message: the hub puts the messages, the heartbeats (one timer for
        # every stream) and the end (None: the client left) in the queue.
        while (frame := await connection.queue.get()) is not None and not connection.dropped:
            await send({"type": "http.response.body", "body": frame, "more_body": True})
    except Exception:  # the client went away mid-send (each server raises its own error)
        logger.debug("live updates: stream of %s ended while sending", person.pk)
    finally:
        the_hub.close(connection)
        gone.cancel()
        with contextlib.suppress(Exception):
            await send({"type": "http.response.body", "body": b"", "more_body": False})

"""Two middlewares about signed-in sessions.

``SessionSeen`` keeps ``SessionRecord.last_seen_at`` (shown on /settings/sessions/) current,
writing it at most once a minute per session: the session itself notes when it last wrote it,
and the check only reads a session the request had already loaded, so a request adds no query
except the one write a minute (and the session's save that goes with it).

``TwoFactorGate``: a password sign-in the organisation requires a second factor of
(``RUCHER_TWO_FACTOR``) by a person who has none yet marks the session; until they turn it on,
every page but the security settings (and signing out) leads there. Single sign-on never
marks it: the identity provider does its own checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from rucher.people.models import SessionRecord

SEEN_EVERY_SECONDS = 60
ENROL_KEY = "rucher_2fa_enrol"  # the session must turn the second factor on before anything
# Paths a session that must enrol may still open.
_OPEN_PREFIXES = ("/settings/security/", "/logout/", "/static/", "/i18n/", "/healthz", "/jsi18n/")


class SessionSeen:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request already read (a signed-in page always does): reading
        # one here would add a query to requests that never needed it.
        if session is None or not hasattr(session, "_session_cache"):
            return response
        if not session.get("_auth_user_id") or session.session_key is None:
            return response
        now = time.time()
        seen = session.get(SessionRecord.SEEN_KEY)
        if isinstance(seen, int | float) and now - seen < SEEN_EVERY_SECONDS:
            return response
        SessionRecord.objects.filter(session_key=session.session_key).update(
            last_seen_at=timezone.now()
        )
        session[SessionRecord.SEEN_KEY] = now
        return response


class TwoFactorGate:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(ENROL_KEY)
            and request.user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return HttpResponseRedirect(reverse("security"))
        return self.get_response(request)

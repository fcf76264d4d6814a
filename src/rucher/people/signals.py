"""Sign-in is an action like any other: it appends a ``logged_in`` event, and an entry of the
audit trail with the client's address (the event log keeps no addresses); a single sign-on
entry also says which protocol (``{"method": "oidc"}``)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from rucher.activity.actions import record
from rucher.audit.trail import append
from rucher.people.models import SessionRecord
from rucher.people.throttle import client_address


@receiver(user_logged_in)
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # Single sign-on (rucher.identity.actions.sign_in_with) appended its event already and
    # says which door the person came through; a local password says nothing.
    method = getattr(user, "sign_in_method", "")
    if not method:
        record(user, "logged_in", "person", user.pk)
    address = client_address(request)
    append(
        "signed_in",
        actor=user,
        address=address,
        detail={"method": method} if method else None,
    )
    _remember_session(request, user, address)


def _remember_session(request: Any, user: Any, address: str | None) -> None:
    """Name the new session for its owner, so ending an account ends all its sessions
    (people.actions.accounts.end_sessions). Sign-in has just cycled the session key."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session[SessionRecord.SEEN_KEY] = time.time()  # "last seen" is now: no write before a minute
    if session.session_key is None:
        session.save()
    SessionRecord.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "person": user,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "address": address or None,
        },
    )

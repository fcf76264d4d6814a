"""Sign-in is an action like any other: it appends a ``logged_in`` event, and an entry of the
audit trail with the client's address (the event log keeps no addresses); a single sign-on
entry also says which protocol (``{"method": "oidc"}``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from rucher.activity.actions import record
from rucher.audit.trail import append
from rucher.people.throttle import client_address


@receiver(user_logged_in)
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # Single sign-on (rucher.identity.actions.sign_in_with) appended its event already and
    # says which door the person came through; a local password says nothing.
    method = getattr(user, "sign_in_method", "")
    if not method:
        record(user, "logged_in", "person", user.pk)
    append(
        "signed_in",
        actor=user,
        address=client_address(request),
        detail={"method": method} if method else None,
    )

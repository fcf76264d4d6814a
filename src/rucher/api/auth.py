"""How /api/v1 knows who is calling: a Bearer personal access token (integrations) or the
browser's Django session (the web UI's own scripts).

Session requests that change something must carry the CSRF token (header ``X-CSRFToken``),
exactly as a form post would; token requests need none, since a browser never adds an
``Authorization`` header on its own.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate as check_password
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from rucher.api.schemas import ErrorOut, TokenCreatedOut, TokenIn, TokenOut
from rucher.api.tokens import lookup
from rucher.errors import TooManyRequests
from rucher.people import throttle
from rucher.people.actions import tokens
from rucher.people.queries import active_tokens

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# The administrators' endpoints: a token needs the admin scope there, whatever the method.
ADMIN_PREFIXES = ("/api/v1/webhooks",)


def required_scopes(method: str, path: str) -> set[str]:
    """What a token must hold for this request: read for the safe methods, write for the
    others, and admin too on the administrators' endpoints."""
    needed = {"read"} if method in SAFE_METHODS else {"write"}
    if path.startswith(ADMIN_PREFIXES):
        needed.add("admin")
    return needed


def check_scopes(request: HttpRequest, held: frozenset[str]) -> None:
    missing = sorted(required_scopes(request.method or "GET", request.path) - held)
    if missing:
        raise HttpError(
            403,
            _("this token lacks the %(scopes)s scope (it holds: %(held)s); make one that has it")
            % {"scopes": ", ".join(missing), "held": ", ".join(sorted(held)) or "-"},
        )


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rch_…``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        bearer = lookup(token.strip())
        if bearer is None:
            return None
        check_scopes(request, bearer.scopes)
        request.user = bearer.person
        request.write_generation = bearer.write_generation  # type: ignore[attr-defined]
        return bearer.person


class SessionAuth(APIKeyCookie):
    """The signed-in browser session, CSRF-checked on writes.

    Unlike ninja's stock session auth, a request without a session cookie is simply not ours
    (so an anonymous POST gets 401, not a CSRF 403), and the CSRF check runs only once the
    session is known to belong to someone.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        if self.param_name not in request.COOKIES:
            return None
        return self.authenticate(request, request.COOKIES[self.param_name])

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(
                403,
                _("CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header"),
            )
        return user


def api_auth() -> list[Any]:
    return [TokenAuth(), SessionAuth()]


def caller(request: HttpRequest) -> Any:
    """The authenticated person (set by one of the auth classes above)."""
    person = getattr(request, "auth", None)
    if person is None:  # only reachable on an endpoint declared auth=None by mistake
        raise AuthenticationError()
    return person


router = Router(tags=["auth"])


@router.post(
    "/tokens",
    auth=None,
    response={201: TokenCreatedOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Exchange a username and password for a personal access token",
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    person = check_password(request, username=payload.username, password=payload.password)
    if person is None or not person.is_active:
        if refusal := throttle.refusal_of(request):
            raise TooManyRequests(refusal.message, refusal.retry_after)
        raise AuthenticationError(401, _("wrong username or password"))
    token, raw = tokens.create_token(
        person, payload.name, payload.expires_in_days, scopes=payload.scopes
    )
    return Status(
        201,
        {
            "id": token.pk,
            "name": token.name,
            "token": raw,
            "expires_at": token.expires_at,
            "scopes": token.scopes.split(),
        },
    )


@router.get("/tokens", response=list[TokenOut], summary="My active tokens (never the secret)")
def list_tokens(request: HttpRequest) -> list[Any]:
    return active_tokens(caller(request))


@router.delete(
    "/tokens/{token_id}", response={204: None, 404: ErrorOut}, summary="Revoke one of my tokens"
)
def revoke_token(request: HttpRequest, token_id: int) -> Status[Any]:
    tokens.revoke_token(caller(request), token_id)
    return Status(204, None)

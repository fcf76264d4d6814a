"""OpenID Connect through Authlib's Django client.

Chosen over mozilla-django-oidc because Authlib reads the provider's discovery document (one
issuer address configures the endpoints and the signing keys, which rotate), does PKCE (S256)
and the nonce on its own, and verifies the ID token (signature against the provider's JWKS,
issuer, audience, expiry, nonce, ``at_hash``) with a maintained JOSE library (joserfc);
mozilla-django-oidc wants each endpoint and key configured by hand and brings its own
authentication backend and views, where rucher keeps its sign-in in one action.

The state, nonce and PKCE verifier live in the session under the state's name and are removed
by the callback that uses them: a replayed callback finds no state and is refused.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from rucher.identity.claims import ExternalClaims, as_groups

TIMEOUT_SECONDS = 10  # a provider slower than this is "down" for the person waiting


class ProviderUnreachable(Exception):
    """The provider (discovery, token or key endpoint) did not answer."""


class AnswerRefused(Exception):
    """The provider's answer failed a check; ``message`` says which, for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def enabled() -> bool:
    return bool(settings.RUCHER_OIDC_ISSUER and settings.RUCHER_OIDC_CLIENT_ID)


def display_name() -> str:
    return settings.RUCHER_OIDC_NAME or _("your organisation's account")


@lru_cache(maxsize=4)
def _client(issuer: str, client_id: str, client_secret: str, scopes: str) -> Any:
    # One Authlib client per configuration (tests change it); the client caches the discovery
    # document and the keys, re-reading the keys when a token names an unknown key id.
    registry = OAuth()
    return registry.register(
        name="rucher",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT_SECONDS,
        },
    )


def client() -> Any:
    return _client(
        settings.RUCHER_OIDC_ISSUER,
        settings.RUCHER_OIDC_CLIENT_ID,
        settings.RUCHER_OIDC_CLIENT_SECRET,
        settings.RUCHER_OIDC_SCOPES,
    )


def redirect_uri() -> str:
    """Where the provider sends the browser back: registered at the provider as is."""
    return f"{settings.RUCHER_BASE_URL}/sso/oidc/callback/"


def _checked_issuer(oidc: Any) -> str:
    """The discovery document's issuer, which must be the configured one (OpenID Connect
    Discovery 4.3): a document naming another issuer is not this provider's."""
    issuer = str(oidc.load_server_metadata().get("issuer", "")).rstrip("/")
    if issuer != settings.RUCHER_OIDC_ISSUER:
        raise ProviderUnreachable(f"discovery names issuer {issuer!r}")
    return issuer


def start(request: HttpRequest) -> HttpResponse:
    """The redirect to the provider's authorization endpoint (state, nonce and PKCE saved)."""
    try:
        oidc = client()
        _checked_issuer(oidc)
        return oidc.authorize_redirect(request, redirect_uri())
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnreachable(str(error)) from error
    except AuthlibBaseError as error:
        raise ProviderUnreachable(str(error)) from error


def finish(request: HttpRequest) -> ExternalClaims:
    """The verified claims of the callback ``request``; ``AnswerRefused`` for any failed check,
    ``ProviderUnreachable`` when the token or key endpoint does not answer."""
    if not request.GET.get("state"):
        raise AnswerRefused(_("The answer carries no state: start the sign-in again."))
    try:
        oidc = client()
        issuer = _checked_issuer(oidc)
        # Authlib checks the audience only through "azp": the options make "aud" essential
        # and require this client among its values, as OpenID Connect Core 3.1.3.7 says.
        token = oidc.authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "values": [issuer]},
                "aud": {"essential": True, "values": [settings.RUCHER_OIDC_CLIENT_ID]},
            },
        )
    except requests.RequestException as error:
        raise ProviderUnreachable(str(error)) from error
    except AuthlibBaseError as error:
        error_name = getattr(error, "error", "") or ""
        if error_name == "mismatching_state":
            raise AnswerRefused(
                _(
                    "This sign-in answer was already used, or was meant for another browser: "
                    "start the sign-in again."
                )
            ) from error
        if error_name in ("access_denied", "login_required", "consent_required"):
            raise AnswerRefused(_("The identity provider did not sign you in.")) from error
        raise AnswerRefused(
            _("The identity provider refused the sign-in (%(reason)s).") % {"reason": error_name}
        ) from error
    except JoseError as error:
        raise AnswerRefused(_id_token_problem(error)) from error
    except ValueError as error:  # a body that is not JSON: not an OpenID provider's answer
        raise ProviderUnreachable(str(error)) from error
    userinfo = token.get("userinfo")
    if not userinfo:
        raise AnswerRefused(_("The identity provider sent no ID token."))
    return ExternalClaims(
        protocol="oidc",
        issuer=str(userinfo.get("iss", "")),
        subject=str(userinfo.get("sub", "")),
        email=str(userinfo.get("email") or ""),
        email_verified=userinfo.get("email_verified") in (True, "true"),
        given_name=str(userinfo.get("given_name") or ""),
        family_name=str(userinfo.get("family_name") or ""),
        preferred_username=str(userinfo.get("preferred_username") or ""),
        groups=as_groups(userinfo.get(settings.RUCHER_OIDC_GROUPS_CLAIM)),
    )


def _id_token_problem(error: JoseError) -> str:
    """What was wrong with the ID token, in words (joserfc names each failed check)."""
    name = type(error).__name__
    if name in ("BadSignatureError", "DecodeError", "MissingKeyError", "InvalidKeyIdError"):
        return _("The ID token's signature is not the identity provider's: sign-in refused.")
    if name == "ExpiredTokenError":
        return _("The ID token has expired: sign in again.")
    claim = getattr(error, "claim", "")
    if claim == "aud":
        return _("The ID token was issued for another application: sign-in refused.")
    if claim == "nonce":
        return _("The ID token does not answer this sign-in (nonce): sign-in refused.")
    if claim == "iss":
        return _("The ID token comes from another issuer: sign-in refused.")
    return _("The ID token failed a check (%(check)s): sign-in refused.") % {
        "check": getattr(error, "description", "") or name
    }

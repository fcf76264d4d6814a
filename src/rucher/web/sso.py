"""Single sign-on pages: the way to the identity provider and back (rucher.identity).

Every failure ends on one refusal page that says what went wrong, with a 4xx status (a 502
when the provider did not answer), and signs no one in: a refused answer writes nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from rucher.errors import ActionError
from rucher.identity import actions, oidc, saml
from rucher.identity.claims import ExternalClaims
from rucher.web.errors import safe_next

logger = logging.getLogger(__name__)
NEXT_KEY = "sso_next"


def refusal(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "identity/refused.html", {"message": message}, status=status)


def unreachable(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.warning("identity provider unreachable: %s", error)
    return refusal(
        request,
        _(
            "Your organisation's identity provider did not answer. Try again in a moment; if "
            "it lasts, tell your administrator."
        ),
        status=502,
    )


def signed_in(request: HttpRequest, claims: ExternalClaims, next_url: str) -> HttpResponse:
    try:
        person = actions.sign_in_with(claims)
    except ActionError as error:
        return refusal(request, error.message, status=403 if error.status == 403 else 400)
    login(request, person, backend="rucher.people.throttle.ThrottledModelBackend")
    return redirect(next_url or reverse("home"))


@require_GET
def oidc_start(request: HttpRequest) -> HttpResponse:
    if not oidc.enabled():
        return refusal(request, _("Sign-in with an identity provider is not set up."), 404)
    request.session[NEXT_KEY] = safe_next(request, "")
    try:
        return oidc.start(request)
    except oidc.ProviderUnreachable as error:
        return unreachable(request, error)


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    if not oidc.enabled():
        return refusal(request, _("Sign-in with an identity provider is not set up."), 404)
    try:
        claims = oidc.finish(request)
    except oidc.ProviderUnreachable as error:
        return unreachable(request, error)
    except oidc.AnswerRefused as error:
        return refusal(request, error.message)
    return signed_in(request, claims, request.session.pop(NEXT_KEY, ""))


@require_GET
def saml_start(request: HttpRequest) -> HttpResponse:
    if not saml.enabled():
        return refusal(request, _("Sign-in with an identity provider is not set up."), 404)
    try:
        return redirect(saml.start(safe_next(request, "")))
    except saml.AnswerRefused as error:
        return refusal(request, error.message)


# The provider's answer is a cross-site POST: no CSRF token can come with it. The checks that
# replace it: the answer must be signed by the provider and answer a request rucher made.
@csrf_exempt
@require_POST
def saml_acs(request: HttpRequest) -> HttpResponse:
    if not saml.enabled():
        return refusal(request, _("Sign-in with an identity provider is not set up."), 404)
    try:
        claims, next_url = saml.finish(request.POST.get("SAMLResponse", ""))
    except saml.AnswerRefused as error:
        return refusal(request, error.message)
    return signed_in(request, claims, next_url)


@require_GET
def saml_metadata(request: HttpRequest) -> HttpResponse:
    if not saml.enabled():
        raise Http404
    return HttpResponse(saml.metadata(), content_type="application/samlmetadata+xml")


def providers() -> list[dict[str, str]]:
    """The sign-in page's buttons: ``{"url": …, "name": …}`` for each provider set up."""
    buttons = []
    if oidc.enabled():
        buttons.append({"url": reverse("sso_oidc_start"), "name": oidc.display_name()})
    if saml.enabled():
        buttons.append({"url": reverse("sso_saml_start"), "name": saml.display_name()})
    return buttons


def local_password_allowed(person: object) -> bool:
    """``RUCHER_LOCAL_PASSWORDS=admins``: a password signs in administrators only (the
    break-glass account for when the provider is down); everyone else uses the provider."""
    if settings.RUCHER_LOCAL_PASSWORDS == "all":
        return True
    return bool(getattr(person, "is_superuser", False) or getattr(person, "kind", "") == "admin")

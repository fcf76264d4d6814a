"""Settings → Security (``/settings/security/``): two-factor sign-in, and the second step of
a password sign-in (``/login/code/``). The writes are ``identity.actions``; the shared checks
``identity.two_factor``; docs/sso.md, "Two-factor sign-in"."""

from __future__ import annotations

import io
import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rucher.errors import ActionError
from rucher.identity import actions as identity
from rucher.identity import oidc, saml, two_factor
from rucher.people.models import Person
from rucher.people.throttle import client_address
from rucher.provisioning.models import DirectoryConnection
from rucher.spaces.models import Space
from rucher.web.common import user
from rucher.web.security import ENROL_KEY

SECRET_KEY = "rucher_2fa_secret"  # the enrolment's secret, until the first code confirms it
PENDING_KEY = "rucher_2fa_pending"  # a password sign-in waiting for its code
PENDING_LIFETIME_SECONDS = 300


def begin_second_step(request: HttpRequest, person: Person, next_url: str) -> HttpResponse:
    """Called by the sign-in form once the password is right and the person has an
    authenticator: nobody is signed in yet; the session remembers who, for 5 minutes."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "person": person.pk,
        "backend": getattr(person, "backend", ""),
        "next": next_url,
        "at": time.time(),
        "attempts": 0,
    }
    return redirect("login_code")


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > PENDING_LIFETIME_SECONDS:
        del request.session[PENDING_KEY]
        return None
    return pending


@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        messages.info(request, _("Sign in again: the sign-in waiting for its code expired."))
        return redirect("login")
    person = Person.objects.filter(pk=pending["person"], is_active=True).first()
    if person is None:
        del request.session[PENDING_KEY]
        return redirect("login")
    error, status, response = "", 200, None
    if request.method == "POST":
        address = client_address(request)
        outcome = two_factor.check_code(person, request.POST.get("code", ""), address)
        if outcome.passed:
            del request.session[PENDING_KEY]
            person.backend = pending["backend"] or None  # type: ignore[attr-defined]
            login(request, person, backend=pending["backend"] or None)
            if outcome.method == "recovery":
                messages.warning(
                    request,
                    _("You signed in with a recovery code; it cannot be used again. %(left)s left.")
                    % {"left": two_factor.recovery_codes_left(person)},
                )
            target = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = reverse("home")
            return HttpResponseRedirect(target)
        pending["attempts"] = int(pending.get("attempts", 0)) + 1
        if pending["attempts"] >= two_factor.MAX_ATTEMPTS:
            del request.session[PENDING_KEY]
            messages.error(request, _("Too many wrong codes: sign in again with your password."))
            return redirect("login")
        request.session[PENDING_KEY] = pending
        if outcome.wait:
            error = _("Too many wrong codes: wait %(seconds)s seconds, then try again.") % {
                "seconds": outcome.wait
            }
            status = 429
        else:
            error, status = _("That code does not match. Try the code your app shows now."), 422
    response = render(request, "registration/login_code.html", {"error": error}, status=status)
    if status == 429:
        response["Retry-After"] = "30"
    return response


def _security_page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    person = user(request)
    device = two_factor.device_of(person)
    secret = ""
    if device is None and person.has_usable_password():
        secret = request.session.get(SECRET_KEY) or ""
        if not secret:
            secret = two_factor.new_secret()
            request.session[SECRET_KEY] = secret
    return render(
        request,
        "settings/security.html",
        {
            "device": device,
            "secret": two_factor.base32_secret(secret) if secret else "",
            "required": two_factor.required_for(person),
            "must_enrol": bool(request.session.get(ENROL_KEY)),
            "codes_left": two_factor.recovery_codes_left(person) if device else 0,
            "local_password": person.has_usable_password(),
        }
        | context,
        status=status,
    )


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    """The page; its POST turns the second factor on with the first code of the app."""
    if request.method != "POST":
        return _security_page(request)
    person = user(request)
    try:
        codes = identity.enable_two_factor(
            person,
            request.session.get(SECRET_KEY) or "",
            request.POST.get("code", ""),
            client_address(request) or "",
        )
    except ActionError as error:
        return _security_page(request, status=error.status, enable_error=error.message)
    request.session.pop(SECRET_KEY, None)
    request.session.pop(ENROL_KEY, None)
    return render(request, "settings/recovery_codes.html", {"codes": codes, "first": True})


@login_required
@never_cache
def security_qr(request: HttpRequest) -> HttpResponse:
    """The enrolment's QR code, an SVG image drawn on the server (no script, no data: URL)."""
    person = user(request)
    secret = request.session.get(SECRET_KEY)
    if not secret or two_factor.device_of(person) is not None:
        raise Http404
    qr = segno.make(two_factor.provisioning_uri(person, secret), error="m")
    image = io.BytesIO()
    # A standalone document (xmlns, no XML declaration needed): an <img> shows it.
    qr.save(image, kind="svg", scale=5, dark="#111", light="#fff", border=2, xmldecl=False)
    return HttpResponse(image.getvalue(), content_type="image/svg+xml")


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    person = user(request)
    try:
        identity.disable_two_factor(
            person, request.POST.get("code", ""), client_address(request) or ""
        )
    except ActionError as error:
        return _security_page(request, status=error.status, disable_error=error.message)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("security")


@login_required
@require_POST
@never_cache
def renew_codes(request: HttpRequest) -> HttpResponse:
    person = user(request)
    try:
        codes = identity.renew_recovery_codes(
            person, request.POST.get("code", ""), client_address(request) or ""
        )
    except ActionError as error:
        return _security_page(request, status=error.status, renew_error=error.message)
    return render(request, "settings/recovery_codes.html", {"codes": codes, "first": False})


@login_required
def sso_overview(request: HttpRequest) -> HttpResponse:
    """Administrators: how people sign in and are provisioned, in words. Read-only: single
    sign-on is configured by the environment (docs/sso.md), directory connections in the
    admin pages or by ``rucher scim token``."""
    person = user(request)
    if not two_factor.is_admin(person):
        raise Http404
    mapping = settings.RUCHER_SSO_GROUP_MAP
    slugs = {str(slug) for rule in mapping.values() for slug in rule.get("spaces", [])}
    spaces = {s.slug: s for s in Space.objects.filter(slug__in=slugs)}
    kinds = dict(Person.Kind.choices)
    rules = [
        {
            "group": group,
            "department": rule.get("department") or "",
            "kind": kinds.get(rule.get("kind", ""), ""),
            "spaces": [(slug, spaces.get(str(slug))) for slug in rule.get("spaces", [])],
        }
        for group, rule in sorted(mapping.items())
    ]
    connections = (
        DirectoryConnection.objects.select_related("acting_as")
        .annotate(people=Count("users"))
        .order_by("name")
    )
    return render(
        request,
        "settings/sso_overview.html",
        {
            "oidc": {
                "on": oidc.enabled(),
                "issuer": settings.RUCHER_OIDC_ISSUER,
                "client_id": settings.RUCHER_OIDC_CLIENT_ID,
                "has_secret": bool(settings.RUCHER_OIDC_CLIENT_SECRET),
                "scopes": settings.RUCHER_OIDC_SCOPES,
                "name": oidc.display_name() if oidc.enabled() else "",
                "groups_claim": settings.RUCHER_OIDC_GROUPS_CLAIM,
            },
            "saml": {
                "on": saml.enabled(),
                "metadata": settings.RUCHER_SAML_IDP_METADATA,
                "entity_id": settings.RUCHER_SAML_SP_ENTITY_ID,
                "signs": bool(settings.RUCHER_SAML_SP_KEY and settings.RUCHER_SAML_SP_CERT),
                "name": saml.display_name() if saml.enabled() else "",
            },
            "link_by_email": settings.RUCHER_SSO_LINK_BY_EMAIL,
            "create_accounts": settings.RUCHER_SSO_CREATE_ACCOUNTS,
            "local_passwords": settings.RUCHER_LOCAL_PASSWORDS,
            "two_factor": settings.RUCHER_TWO_FACTOR,
            "rules": rules,
            "connections": connections,
        },
    )

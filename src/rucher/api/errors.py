"""Every error of /api/v1 is JSON ``{"detail": "<a sentence a person can act on>"}``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rucher.errors import ActionError

# Where the value was read from is noise for the caller; the field's name is what matters.
LOCATION_WORDS = {"body", "query", "path", "payload", "filters"}


def unauthenticated_message() -> str:
    return _(
        "authentication required: send 'Authorization: Bearer <token>' "
        "(POST /api/v1/auth/tokens makes one) or sign in"
    )


def _field(location: Any) -> str:
    parts = [str(p) for p in location if str(p) not in LOCATION_WORDS]
    return ".".join(parts) or "request"


def readable(errors: list[dict[str, Any]]) -> str:
    """One line from pydantic's error list: ``text: Field required; limit: …``."""
    lines = []
    for error in errors:
        message = str(error.get("msg", "invalid value"))
        lines.append(f"{_field(error.get('loc', ()))}: {message}")
    return "; ".join(lines) or _("invalid request")


def _clean(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # pydantic puts the offending input and exception objects in ``ctx``; keep it serialisable.
    return [
        {
            "field": _field(e.get("loc", ())),
            "message": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in errors
    ]


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ActionError)
    def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        return api.create_response(request, {"detail": exc.message}, status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request, {"detail": readable(exc.errors), "errors": _clean(exc.errors)}, status=422
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = exc.message if exc.message != "Unauthorized" else unauthenticated_message()
        response = api.create_response(request, {"detail": message}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="rucher"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, {"detail": exc.message}, status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _("not found")}, status=404)

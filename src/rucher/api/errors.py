"""Every error of /api/v1 is JSON ``{"detail": "<a sentence a person can act on>"}``.

An unexpected exception is a 500 ``{"detail": …, "correlation_id": …}``: the traceback is
logged server-side with the same id, so a caller's report leads to it, and nothing of the
internals reaches the caller. A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413.
Errors raised outside the API's own handlers (URL resolution, middlewares) are turned into
the same JSON by ``rucher.api.middleware``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rucher.charter.gate import API_ACCEPT, API_READ, CharterRequired
from rucher.errors import ActionError, TooManyRequests

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


logger = logging.getLogger("rucher.api")

SERVER_ERROR = "internal error: it was logged; quote this correlation_id when reporting it"


def server_error(request: HttpRequest, exc: BaseException) -> JsonResponse:
    """A 500 that names the log entry holding the traceback."""
    correlation_id = uuid.uuid4().hex
    logger.error(
        "API error %s on %s %s",
        correlation_id,
        request.method,
        request.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    response = JsonResponse({"detail": SERVER_ERROR, "correlation_id": correlation_id}, status=500)
    response["X-Correlation-ID"] = correlation_id
    return response


def too_large() -> JsonResponse:
    limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
    return JsonResponse({"detail": f"request body too large: at most {limit} bytes"}, status=413)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        return server_error(request, exc)

    @api.exception_handler(RequestDataTooBig)
    def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return too_large()

    @api.exception_handler(ActionError)
    def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        response = api.create_response(request, {"detail": exc.message}, status=exc.status)
        if isinstance(exc, TooManyRequests):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(CharterRequired)
    def charter_required(request: HttpRequest, exc: CharterRequired) -> HttpResponse:
        # The reason, and where to read and accept the charter (docs/charter.md).
        body = {
            "detail": exc.message,
            "charter": {"version": exc.version.number, "read": API_READ, "accept": API_ACCEPT},
        }
        return api.create_response(request, body, status=exc.status)

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

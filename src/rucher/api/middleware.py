"""/api/ answers JSON even when the error happens outside the API's own handlers.

django-ninja's handlers (``rucher.api.errors``) cover what happens inside an operation. This
middleware covers the rest on paths under /api/: an exception in a middleware or in URL
resolution, a URL that matches no operation, a method it does not take. Web pages keep their
HTML error pages.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

from rucher.api.errors import server_error, too_large
from rucher.api.tokens import authenticate
from rucher.errors import ActionError
from rucher.idempotency.store import Stored, check_key, claim, complete, fingerprint
from rucher.people.models import Person

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


class ApiJsonErrors:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not _is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if request.path_info.startswith(API_PREFIX + "docs"):
            return response
        status = response.status_code
        try:
            reason = HTTPStatus(status).phrase.lower()
        except ValueError:
            reason = "error"
        if status >= 500:
            # The traceback was logged by django.request; this one ties an id to it.
            return server_error(request, RuntimeError(f"{status} {reason} outside the API"))
        replaced = JsonResponse({"detail": reason}, status=status)
        for header in ("Allow", "WWW-Authenticate"):
            if header in response:
                replaced[header] = response[header]
        return replaced

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not _is_api(request):
            return None
        if isinstance(exc, RequestDataTooBig):
            return too_large()
        return server_error(request, exc)


IDEMPOTENCY_HEADER = "Idempotency-Key"
# A token's secret is shown once and never stored, so its creation is not replayed (a second
# token made by a retry is harmless: it expires, and can be revoked).
NOT_REPLAYED = ("/api/v1/auth/tokens",)


class ApiIdempotency:
    """``Idempotency-Key`` on API POSTs: the first answer is stored with the key, the caller
    and a fingerprint of the request, in the write's own transaction (rucher.idempotency);
    the same key and request get that answer back without running the handler again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if (
            key is None
            or request.method != "POST"
            or not _is_api(request)
            or request.path_info.rstrip("/") in NOT_REPLAYED
        ):
            return self.get_response(request)
        try:
            check_key(key)
        except ActionError as error:
            return JsonResponse({"detail": error.message}, status=error.status)
        person = _caller(request)
        if person is None:  # the API answers 401 itself
            return self.get_response(request)
        try:
            body = request.body
        except RequestDataTooBig:
            return too_large()
        print_ = fingerprint(
            request.method, request.path_info, request.META.get("QUERY_STRING", ""), body
        )
        with transaction.atomic():
            try:
                claimed = claim(person, "api:" + key, print_)
            except ActionError as error:
                return JsonResponse({"detail": error.message}, status=error.status)
            if isinstance(claimed, Stored):
                replay = HttpResponse(
                    claimed.body, status=claimed.status, content_type=claimed.content_type
                )
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = self.get_response(request)
            if response.status_code >= 500 or getattr(response, "streaming", False):
                transaction.set_rollback(True)  # nothing done, nothing remembered
                return response
            assert isinstance(response, HttpResponse)
            complete(
                claimed,
                Stored(
                    response.status_code,
                    response.get("Content-Type", "application/json"),
                    response.content.decode("utf-8", "replace"),
                ),
            )
            return response


def _caller(request: HttpRequest) -> Person | None:
    """Who is calling, as the API's authentication will see it (Bearer token, else the
    session)."""
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() == "bearer":
        return authenticate(token.strip())
    user = getattr(request, "user", None)
    if isinstance(user, Person) and user.is_active:
        return user
    return None

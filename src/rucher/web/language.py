"""The signed-in person's language: the one they chose in the header's switch, saved in their
profile, whichever browser they use (after AuthenticationMiddleware, before the views)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class PersonLanguage:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = dict(settings.LANGUAGES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only where a session exists: an API call with a token pays nothing here.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            person = request.user
            chosen = getattr(person, "language", "") if person.is_authenticated else ""
            if chosen in self.codes and chosen != request.LANGUAGE_CODE:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        return self.get_response(request)

"""Turning an action's refusal into an answer a person can read.

Actions raise ActionError subclasses; a page shows the message with the error's status, and
something the person may not see (NotFound) becomes the ordinary 404 page, so a hidden space
and a missing one look the same.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from rucher.errors import ActionError, NotFound, TooManyRequests


def error_page(request: HttpRequest, error: ActionError) -> HttpResponse:
    """A short page (or, for HTMX, a fragment) carrying the reason and the 4xx status."""
    template = "_error_fragment.html" if getattr(request, "htmx", False) else "error.html"
    context = {"message": error.message, "back": _local_referer(request)}
    response = render(request, template, context, status=error.status)
    if isinstance(error, TooManyRequests):
        response["Retry-After"] = str(error.retry_after)
    return response


def _local_referer(request: HttpRequest) -> str | None:
    """The page the person came from, when it is one of ours (a "Go back" link needs no
    script, which the Content-Security-Policy would refuse)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return None


def translate_action_errors(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """NotFound -> 404 page; any other ActionError -> the error page with its status.

    Views that re-render a form with the message catch ActionError themselves first.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from None
        except ActionError as error:
            return error_page(request, error)

    return wrapped


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go back to after a plain (non-HTMX) form: a local path only."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback

"""Mounted under /api/ by rucher.urls: /api/v1/… (the API) and /api/docs (its docs page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja.openapi.views import openapi_view

from rucher.api.instance import api


def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI for /api/v1/openapi.json (assets served from the ninja package, no CDN,
    once "ninja" is in INSTALLED_APPS)."""
    return openapi_view(request, api)


urlpatterns = [
    path("v1/", api.urls),
    path("docs", docs, name="api-docs"),
]

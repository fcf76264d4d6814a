"""The application around the pages: the language switch (saved in the profile), profile
photos (served resized, with cache headers), and what makes rucher installable: the web app
manifest, the service worker and its offline page (docs/design.md)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from rucher.errors import ActionError, NotFound
from rucher.people import actions as people_actions
from rucher.spaces import permissions
from rucher.web.common import user
from rucher.web.errors import safe_next


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switch (cookie and redirect back), and for a signed-in person the choice kept
    in their profile: it follows them to every browser (rucher.web.language)."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        person = user(request)
        if person.language != code:
            people_actions.set_language(person, code)
    return response


@require_GET
def photo(request: HttpRequest, person_id: int, version: str) -> HttpResponseBase:
    """A person's photo, for whoever may see them. The URL carries a version (a digest of the
    stored name, which changes with every upload): browsers keep it for a year."""
    try:
        other = permissions.get_visible_person(request.user, person_id)
    except NotFound:
        raise Http404 from None
    if not other.photo or other.is_erased:
        raise Http404
    try:
        handle = other.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    patch_cache_control(response, private=True, max_age=365 * 24 * 3600, immutable=True)
    return response


@login_required
@require_POST
def photo_upload(request: HttpRequest) -> HttpResponse:
    person = user(request)
    try:
        if request.POST.get("op") == "remove":
            people_actions.remove_photo(person)
            messages.success(request, _("Your photo was removed."))
        else:
            upload = request.FILES.get("photo")
            if upload is None:
                messages.error(request, _("Choose an image to upload."))
                return redirect("profile_edit")
            people_actions.set_photo(person, upload, size=upload.size)
            messages.success(request, _("Your photo was saved."))
    except ActionError as error:
        messages.error(request, error.message)
    return redirect(safe_next(request, reverse("profile_edit")))


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: rucher installs as an app (standalone window, its icons)."""
    data = {
        "name": "rucher",
        "short_name": "rucher",
        "description": _("enterprise social network"),
        "lang": request.LANGUAGE_CODE,
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f5f7",
        "theme_color": "#ffffff",
        "icons": [
            {"src": static("rucher/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("rucher/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("rucher/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("rucher/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the root so that its scope is the whole site; the
    shell it caches (style sheet, scripts, icons, offline page) is listed in its query."""
    path = finders.find("rucher/sw.js")
    if not path:
        raise Http404
    with open(str(path), encoding="utf-8") as handle:
        body = handle.read()
    shell = [
        reverse("offline"),
        static("rucher/rucher.css"),
        static("rucher/ui.js"),
        static("django_htmx/htmx-2.min.js"),
        static("rucher/icons/icon.svg"),
        static("rucher/icons/icon-192.png"),
    ]
    body = body.replace("/*SHELL*/[]", json.dumps(shell))
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    patch_cache_control(response, no_cache=True)
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows when the network is gone: no personal data in it."""
    return render(request, "offline.html")

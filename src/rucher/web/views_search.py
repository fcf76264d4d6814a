"""The search page (/search/) and the suggestions under the header's box (/search/suggest/).
Both read ``rucher.search.queries.search``: what the person may see, through the read policy."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from rucher.errors import Invalid
from rucher.search import queries
from rucher.spaces import permissions
from rucher.web.common import user

KIND_LABELS: dict[str, Any] = {
    "question": _("Questions"),
    "answer": _("Answers"),
    "post": _("Posts"),
    "comment": _("Comments"),
    "poll": _("Polls"),
    "person": _("People"),
    "space": _("Spaces"),
    "topic": _("Topics"),
    "attachment": _("Files"),
}
FILTERS = ("kind", "space", "author", "topic", "since", "until")


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    person = user(request)
    text = request.GET.get("q", "")
    chosen = {name: request.GET.get(name, "") for name in FILTERS}
    page, error, status = None, "", 200
    if text.strip():
        try:
            filters = queries.parse_filters(person, **chosen)
            page = queries.search(person, text, filters, request.GET.get("cursor"), typing=False)
        except Invalid as problem:
            error, status = problem.message, problem.status
    groups = [(KIND_LABELS[kind], items) for kind, items in page.groups()] if page else []
    return render(
        request,
        "search/results.html",
        {
            "q": text,
            "chosen": chosen,
            "page": page,
            "groups": groups,
            "error": error,
            "kinds": list(KIND_LABELS.items()),
            "spaces": permissions.readable_spaces(person).order_by("name").only("name", "slug")
            if text.strip()
            else [],
        },
        status=status,
    )


@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    person = user(request)
    text = request.GET.get("q", "")
    try:
        page = queries.suggest(person, text)
    except Invalid:
        page = None
    items = [(KIND_LABELS[item.kind], item) for item in page.items] if page else []
    return render(request, "search/_suggestions.html", {"items": items, "q": text})

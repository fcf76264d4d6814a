"""Essentiel (/essentiel/): the short stream chosen for the reader, each item with its reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rucher.activity.actions import record_view
from rucher.people.models import Person
from rucher.spaces.confidential import record_reads
from rucher.streams.essential import essential, why
from rucher.streams.reading import (
    MAX_ESSENTIAL_ITEMS,
    choose_reading,
    opens_on_essential,
    organisation_items,
)
from rucher.web.common import user
from rucher.web.errors import translate_action_errors


@login_required
@translate_action_errors
def essential_page(request: HttpRequest) -> HttpResponse:
    return render_essential(request, user(request))


def render_essential(request: HttpRequest, person: Person) -> HttpResponse:
    """Essentiel's page: at /essentiel/, and at / for who chose it as their first stream."""
    page = essential(person)
    record_reads(person, [item.content for item in page.items])
    record_view(person, "stream", None, None)
    return render(
        request,
        "streams/essential.html",
        {
            "page": page,
            "entries": [(item.content, why(item)) for item in page.items],
            "my_reactions": page.my_reactions,
            "opens_here": opens_on_essential(person),
            "items_chosen": person.essential_items,
            "items_default": organisation_items(),
            "max_items": MAX_ESSENTIAL_ITEMS,
        },
    )


@login_required
@require_POST
@translate_action_errors
def reading_choices(request: HttpRequest) -> HttpResponse:
    """The Essentiel page's settings: open rucher on it or not, and how many items."""
    person = user(request)
    choose_reading(
        person,
        home="essential" if request.POST.get("home_stream") == "essential" else "latest",
        essential_items=request.POST.get("essential_items", "").strip() or "default",
    )
    messages.success(request, _("Your reading choices are saved."))
    return redirect("essential")

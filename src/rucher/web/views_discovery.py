"""Essentiel (/essentiel/): the short stream chosen for the reader, each item with its reason."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rucher.activity.actions import record_view
from rucher.spaces.confidential import record_reads
from rucher.streams.essential import essential, why
from rucher.web.common import user
from rucher.web.errors import translate_action_errors


@login_required
@translate_action_errors
def essential_page(request: HttpRequest) -> HttpResponse:
    person = user(request)
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
        },
    )

"""Meaning on the pages: similar questions under the composer (related content is part of
the content page, views_content.render_thread)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rucher.meaning import summaries
from rucher.meaning.neighbours import similar_answered_questions
from rucher.spaces import permissions
from rucher.web.common import user
from rucher.web.errors import translate_action_errors

# What is read of the text being typed: the start carries the question (and a 10,000-
# character paste costs no more than this).
TEXT_CHARACTERS = 2_000


@login_required
@require_GET
def similar_questions(request: HttpRequest) -> HttpResponse:
    """The fragment under the composer: questions with an accepted answer the person may
    read, close in meaning to what they are typing (empty unless the kind is a question)."""
    person = user(request)
    text = request.GET.get("text", "")[:TEXT_CHARACTERS]
    asking = request.GET.get("kind", "question") == "question"
    questions = similar_answered_questions(person, text) if asking else []
    return render(request, "meaning/_similar_questions.html", {"questions": questions})


SUMMARY_PERIODS = (7, 30, 90)  # days a space's summary may cover


@login_required
@require_GET
@translate_action_errors
def thread_summary(request: HttpRequest, content_id: int) -> HttpResponse:
    """The "Résumer ce fil" page: the sentences that best cover the thread, from what the
    viewer reads."""
    root, summary = summaries.thread_summary(user(request), content_id)
    return render(
        request,
        "meaning/summary.html",
        {"root": root, "summary": summary, "back": reverse("content", args=[root.pk])},
    )


@login_required
@require_GET
@translate_action_errors
def space_summary(request: HttpRequest, slug: str) -> HttpResponse:
    """A space's summary over the last 7, 30 or 90 days (``?days=``), from what the viewer
    reads; linked from the space page and the cockpit's space view."""
    person = user(request)
    space = permissions.get_visible_space_by_slug(person, slug)
    if not permissions.can_read_space(person, space):
        raise Http404(_("space not found"))
    try:
        days = int(request.GET.get("days", "7"))
    except ValueError:
        days = 0
    if days not in SUMMARY_PERIODS:
        days = SUMMARY_PERIODS[0]
        messages.info(request, _("Summaries cover 7, 30 or 90 days: showing the last 7."))
    since = timezone.now() - timedelta(days=days)
    summary = summaries.space_summary(person, space, since=since)
    return render(
        request,
        "meaning/summary.html",
        {
            "space": space,
            "summary": summary,
            "days": days,
            "periods": SUMMARY_PERIODS,
            "back": reverse("space", args=[space.slug]),
        },
    )

"""Meaning on the pages: similar questions under the composer (related content is part of
the content page, views_content.render_thread)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rucher.meaning.neighbours import similar_answered_questions
from rucher.web.common import user

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

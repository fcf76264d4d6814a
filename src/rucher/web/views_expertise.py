"""Who knows? (/experts/): people ranked by the evidence of what they wrote, visible to me."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from rucher.expertise.finder import MAX_QUERY_CHARS, Evidence, QueryRefused, find_experts
from rucher.web.common import user


def evidence_url(item: Evidence) -> str:
    url = reverse("content", args=[item.root_id])
    return url if item.root_id == item.content_id else f"{url}#c{item.content_id}"


# The kind of a contribution (a noun: "Answer" alone is also the verb of a button).
KIND_LABELS = {
    "answer": pgettext_lazy("kind of contribution", "Answer"),
    "question": pgettext_lazy("kind of contribution", "Question"),
    "post": pgettext_lazy("kind of contribution", "Post"),
    "comment": pgettext_lazy("kind of contribution", "Comment"),
}


def why(item: Evidence) -> str:
    label = _("Accepted answer") if item.accepted else KIND_LABELS.get(item.kind, item.kind)
    label = str(label)
    if item.reactions:
        label += " · " + ngettext("%(n)d reaction", "%(n)d reactions", item.reactions) % {
            "n": item.reactions
        }
    return label


@login_required
def experts(request: HttpRequest) -> HttpResponse:
    person = user(request)
    query = request.GET.get("q", "")
    error = None
    found = None
    status = 200
    if "q" in request.GET:
        try:
            found = find_experts(person, query)
        except QueryRefused:
            status = 422
            if query.strip():
                error = _("The question is too long (at most %(n)d characters).") % {
                    "n": MAX_QUERY_CHARS
                }
            else:
                error = _("Write what you are looking for.")
    rows = [
        {
            "expert": expert,
            "evidence": [
                {"title": item.title, "url": evidence_url(item), "why": why(item)}
                for item in expert.evidence
            ],
        }
        for expert in (found.experts if found else [])
    ]
    return render(
        request,
        "expertise/experts.html",
        {
            "query": query,
            "error": error,
            "rows": rows,
            "searched": found is not None,
            "max_chars": MAX_QUERY_CHARS,
        },
        status=status,
    )

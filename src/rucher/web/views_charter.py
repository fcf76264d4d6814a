"""The charter on the web: the gate's page (shown in place of a refused contribution, the
person's text kept), the charter page, the administrators' publishing page, and the page
where a space's managers write its rules. docs/charter.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rucher.charter import actions, queries
from rucher.charter.gate import CharterRequired, audience_of
from rucher.charter.models import Audience, CharterVersion
from rucher.conversations.rendering import render as render_markdown
from rucher.errors import ActionError, Conflict, NotFound
from rucher.spaces import permissions
from rucher.web.common import user
from rucher.web.forms import TextField

# The field a gate page adds to the replayed form: the version the person accepts.
ACCEPT_FIELD = "charter_version"
NOT_REPLAYED = {"csrfmiddlewaretoken", ACCEPT_FIELD}


def charter_html(version: CharterVersion | None) -> str:
    if version is None:
        return ""
    return render_markdown(version.text_for(get_language() or "en")).html


class CharterGate:
    """Middleware. A contribution refused by the charter gate (``CharterRequired``, raised by
    the write door) becomes the charter's page, holding the person's form as hidden fields and
    posting back to where it was going with ``charter_version``; that POST records the
    acceptance first (``process_view``), then the view runs as if nothing had happened, so the
    post is published in the same step and no text is lost."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        if request.method != "POST" or ACCEPT_FIELD not in request.POST:
            return None
        if not request.user.is_authenticated or request.path.startswith("/api/"):
            return None
        if getattr(view, "__name__", "") == "charter":  # the charter page accepts by itself
            return None
        try:
            actions.accept_charter(user(request), request.POST[ACCEPT_FIELD])
        except Conflict:
            pass  # already accepted (a double submit), or a newer version: the gate tells
        except ActionError as error:
            request.charter_error = error.message  # type: ignore[attr-defined]
        return None

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        if not isinstance(exception, CharterRequired):
            return None
        return gate_page(request, exception.version)


def gate_page(request: HttpRequest, version: CharterVersion) -> HttpResponse:
    replayed = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in NOT_REPLAYED
        for value in values
    ]
    context = {
        "version": version,
        "html": charter_html(version),
        "replayed": replayed,
        "action": request.path,
        "had_files": bool(request.FILES),
        "error": getattr(request, "charter_error", ""),
        "partners": version.audience == Audience.PARTNERS,
    }
    htmx = bool(getattr(request, "htmx", False))
    template = "charter/_gate.html" if htmx else "charter/gate.html"
    response = render(request, template, context, status=CharterRequired.status)
    if htmx:  # the page takes the place of the main column, whatever the form aimed at
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "innerHTML"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def charter(request: HttpRequest) -> HttpResponse:
    """The charter the person accepts; accepting it here too (before any contribution)."""
    person = user(request)
    version = queries.current_for(person)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            actions.accept_charter(person, request.POST.get(ACCEPT_FIELD, ""))
        except ActionError as failure:
            error, status = failure.message, failure.status
        else:
            return redirect("charter")
    accepted = queries.acceptance(person, version)
    context = {
        "version": version,
        "html": charter_html(version),
        "accepted": accepted,
        "error": error,
        "partners": audience_of(person) == Audience.PARTNERS,
        "is_admin": person.kind == person.Kind.ADMIN,
    }
    return render(request, "charter/page.html", context, status=status)


class CharterForm(forms.Form):
    audience = forms.ChoiceField(label=gettext_lazy("Charter of"), choices=Audience.choices)
    text_fr = TextField(
        label=gettext_lazy("Text in French (Markdown)"),
        required=False,
        max_length=actions.CHARTER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14, "lang": "fr"}),
    )
    text_en = TextField(
        label=gettext_lazy("Text in English (Markdown)"),
        required=False,
        max_length=actions.CHARTER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14, "lang": "en"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def charter_manage(request: HttpRequest) -> HttpResponse:
    """Administrators publish a new version (members' or partner guests')."""
    person = user(request)
    if person.kind != person.Kind.ADMIN:
        raise Http404(_("page not found"))
    status = 200
    if request.method == "POST":
        form = CharterForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.publish_charter(person, data["audience"], data["text_fr"], data["text_en"])
            except ActionError as failure:
                form.add_error(None, failure.message)
                status = failure.status
            else:
                return redirect("charter_manage")
        else:
            status = 422
    else:
        members = queries.current_version(Audience.MEMBERS)
        form = CharterForm(
            initial={
                "audience": Audience.MEMBERS,
                "text_fr": members.text_fr if members else "",
                "text_en": members.text_en if members else "",
            }
        )
    context = {
        "form": form,
        "members": queries.versions(Audience.MEMBERS),
        "partners": queries.versions(Audience.PARTNERS),
    }
    return render(request, "charter/manage.html", context, status=status)


class RulesForm(forms.Form):
    text_fr = TextField(
        label=gettext_lazy("Rules in French (Markdown)"),
        required=False,
        max_length=actions.RULES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "fr"}),
    )
    text_en = TextField(
        label=gettext_lazy("Rules in English (Markdown)"),
        required=False,
        max_length=actions.RULES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "en"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def space_rules(request: HttpRequest, slug: str) -> HttpResponse:
    """A space's managers write the rules shown above its composer."""
    person = user(request)
    try:
        space = permissions.get_visible_space_by_slug(person, slug)
    except NotFound as missing:
        raise Http404(missing.message) from None
    if not permissions.can_manage_space(person, space):
        return render(
            request,
            "error.html",
            {"message": _("only the space's community managers write its rules")},
            status=403,
        )
    status = 200
    rules = queries.rules_of(space.pk)
    if request.method == "POST":
        form = RulesForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.set_space_rules(person, space, data["text_fr"], data["text_en"])
            except ActionError as failure:
                form.add_error(None, failure.message)
                status = failure.status
            else:
                return redirect(reverse("space", args=[space.slug]))
        else:
            status = 422
    else:
        form = RulesForm(
            initial={"text_fr": rules.text_fr, "text_en": rules.text_en} if rules else None
        )
    return render(
        request, "charter/rules.html", {"form": form, "space": space, "rules": rules}, status=status
    )


def rules_html(space_id: int) -> str:
    """The space's rules in the reader's language (or the other one), rendered and sanitised
    as posts are; "" without rules. One query."""
    rules = queries.rules_of(space_id)
    if rules is None:
        return ""
    return render_markdown(rules.text_for(get_language() or "en")).html

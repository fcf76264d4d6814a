"""Moderation pages: flag an item ("Signaler"), the review queue with its decisions (one item
or several at once), and the deleted content moderators may restore (the same page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rucher.conversations.queries import get_visible_content
from rucher.errors import ActionError
from rucher.moderation import actions
from rucher.moderation.models import QUEUE_DECISIONS, Decision, Period, Reason
from rucher.moderation.queries import (
    ORDERS,
    current_suspensions,
    item_ref,
    parse_ref,
    review_queue,
)
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.confidential import record_reads
from rucher.web.common import user
from rucher.web.errors import translate_action_errors
from rucher.web.forms import FlagForm
from rucher.web.views_settings import restorable


def _reasons() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Reason.choices]


@login_required
@translate_action_errors
def flag(request: HttpRequest, item_type: str, item_id: int) -> HttpResponse:
    person = user(request)
    item = item_ref(item_type, item_id)
    if item.type == "content":
        shown: Any = get_visible_content(person, item.id)
        back = reverse("content", args=[shown.root_id or shown.pk])
    else:
        shown = permissions.get_visible_person(person, item.id)
        back = reverse("profile", args=[shown.pk])
    form = FlagForm(request.POST or None, reasons=_reasons())
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.flag(person, item, form.cleaned_data["reason"], form.cleaned_data["text"])
            except ActionError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("Thank you, the moderators will review this content."))
                return redirect(back)
    context = {"form": form, "item": shown, "is_profile": item.type == "person", "back": back}
    return render(request, "moderation/flag.html", context, status=status)


def _queue_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    order = request.GET.get("order", "newest")
    order = order if order in ORDERS else "newest"
    page = review_queue(person, request.GET.get("cursor") or None, None, order)
    record_reads(person, [e.item.content for e in page.entries if e.item.content is not None])
    return {
        "entries": page.entries,
        "next_cursor": page.next_cursor,
        "order": order,
        "decisions": [(d, str(Decision(d).label)) for d in QUEUE_DECISIONS],
        "periods": [(value, str(label)) for value, label in Period.choices],
        "items": restorable(person),
        "suspensions": current_suspensions(person),
    }


@login_required
@translate_action_errors
def moderation(request: HttpRequest) -> HttpResponse:
    person = user(request)
    if person.is_guest:
        raise Http404(_("page not found"))
    return render(request, "settings/moderation.html", _queue_context(request, person))


@login_required
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    person = user(request)
    if person.is_guest:
        raise Http404(_("page not found"))
    data = request.POST
    try:
        items = [parse_ref(value) for value in data.getlist("items")]
        rows = actions.decide(
            person,
            items,
            data.get("decision"),
            data.get("reason", ""),
            text=data.get("text") or None,
            note=data.get("note") or None,
            period=data.get("period") or None,
        )
    except ActionError as error:
        context = _queue_context(request, person)
        context["error"] = error.message
        return render(request, "settings/moderation.html", context, status=error.status)
    label = str(Decision(rows[0].decision).label) if rows else ""
    messages.success(
        request,
        _("Decision recorded (%(decision)s) for %(count)s item(s).")
        % {"decision": label, "count": len(rows)},
    )
    target = data.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("moderation")


@login_required
@require_POST
def lift(request: HttpRequest, space_id: int, person_id: int) -> HttpResponse:
    person = user(request)
    if person.is_guest:
        raise Http404(_("page not found"))
    try:
        space = permissions.get_visible_space(person, space_id)
        member = permissions.get_visible_person(person, person_id)
        actions.lift_suspension(person, space, member, request.POST.get("reason", ""))
    except ActionError as error:
        context = _queue_context(request, person)
        context["error"] = error.message
        return render(request, "settings/moderation.html", context, status=error.status)
    messages.success(request, _("The suspension was lifted."))
    return redirect("moderation")

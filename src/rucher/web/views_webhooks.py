"""The administrators' webhook pages (/settings/webhooks/…): endpoints, the secret shown once,
the delivery log with each attempt, replay and test ping. Everyone else signed in gets the 403
page; the rules are the webhooks domain's (queries and actions), as for the API."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rucher.errors import ActionError
from rucher.web.common import user
from rucher.web.errors import translate_action_errors
from rucher.web.forms import TextField
from rucher.webhooks import actions, events, queries
from rucher.webhooks.models import Delivery, Endpoint


class EndpointForm(forms.Form):
    url = TextField(
        label=gettext_lazy("Address"),
        max_length=2000,
        help_text=gettext_lazy("https:// (plain http only on this machine: localhost)"),
    )
    description = TextField(label=gettext_lazy("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=[(t.code, t.label) for t in events.AVAILABLE],
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    include_private_spaces = forms.BooleanField(
        label=gettext_lazy("Include private, secret and partner-shared spaces"),
        required=False,
        help_text=gettext_lazy("By default only open internal spaces and profile posts."),
    )
    include_confidential = forms.BooleanField(
        label=gettext_lazy("Include confidential spaces"),
        required=False,
        help_text=gettext_lazy("Their content then leaves rucher: only for a trusted system."),
    )
    allow_private_address = forms.BooleanField(
        label=gettext_lazy("Allow a private network address"),
        required=False,
        help_text=gettext_lazy("10.x, 172.16.x, 192.168.x, link-local…: an intranet receiver."),
    )

    def settings(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("url")
        return data


def _admin(request: HttpRequest) -> Any:
    person = user(request)
    queries.require_administrator(person)
    return person


def _endpoint_rows(person: Any) -> list[dict[str, Any]]:
    return [
        {"endpoint": e, "events": [events.label(code) for code in e.event_types]}
        for e in queries.endpoints(person)
    ]


def _list_page(
    request: HttpRequest, person: Any, form: EndpointForm, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"form": form, "rows": _endpoint_rows(person), **extra}
    return render(request, "settings/webhooks.html", context, status=status)


@login_required
@translate_action_errors
def webhooks(request: HttpRequest) -> HttpResponse:
    person = _admin(request)
    if request.method != "POST":
        return _list_page(request, person, EndpointForm())
    form = EndpointForm(request.POST)
    if not form.is_valid():
        return _list_page(request, person, form, status=422)
    try:
        endpoint, secret = actions.create_endpoint(
            person, form.cleaned_data["url"], **form.settings()
        )
    except ActionError as error:
        form.add_error("url", error.message)
        return _list_page(request, person, form, status=error.status)
    return _endpoint_page(request, person, endpoint, new_secret=secret, status=201)


def _endpoint_page(
    request: HttpRequest,
    person: Any,
    endpoint: Endpoint,
    form: EndpointForm | None = None,
    status: int = 200,
    new_secret: str | None = None,
) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    rows, next_cursor = queries.deliveries_page(person, endpoint, cursor)
    form = form or EndpointForm(
        initial={name: getattr(endpoint, name) for name in actions.UPDATABLE}
    )
    context = {
        "endpoint": endpoint,
        "events": [events.label(code) for code in endpoint.event_types],
        "form": form,
        "deliveries": [(d, events.label(d.event_type)) for d in rows],
        "next_cursor": next_cursor,
        "new_secret": new_secret,
    }
    return render(request, "settings/webhooks_endpoint.html", context, status=status)


@login_required
@translate_action_errors
def webhook(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    person = _admin(request)
    endpoint = queries.get_endpoint(person, endpoint_id)
    if request.method != "POST":
        return _endpoint_page(request, person, endpoint)
    form = EndpointForm(request.POST)
    if not form.is_valid():
        return _endpoint_page(request, person, endpoint, form, status=422)
    try:
        url = form.cleaned_data["url"]
        actions.update_endpoint(person, endpoint.pk, url=url, **form.settings())
    except ActionError as error:
        form.add_error("url", error.message)
        endpoint.refresh_from_db()
        return _endpoint_page(request, person, endpoint, form, status=error.status)
    messages.success(request, _("The endpoint was saved."))
    return redirect("webhook", endpoint.pk)


@login_required
@require_POST
@translate_action_errors
def rotate_secret(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    person = _admin(request)
    endpoint, secret = actions.rotate_secret(person, endpoint_id)
    return _endpoint_page(request, person, endpoint, new_secret=secret)


@login_required
@require_POST
@translate_action_errors
def ping(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    person = _admin(request)
    delivery = actions.send_ping(person, endpoint_id)
    messages.success(request, _("A test ping is on its way; its result appears below."))
    return redirect("webhook", delivery.endpoint_id)


@login_required
@require_POST
@translate_action_errors
def delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    actions.delete_endpoint(_admin(request), endpoint_id)
    messages.success(request, _("The endpoint was removed."))
    return redirect("webhooks")


@login_required
@translate_action_errors
def delivery(request: HttpRequest, delivery_id: int) -> HttpResponse:
    person = _admin(request)
    found = queries.get_delivery(person, delivery_id)
    return render(
        request,
        "settings/webhooks_delivery.html",
        {
            "delivery": found,
            "event_label": events.label(found.event_type),
            "attempts": list(found.attempts.all()),
            "payload_json": json.dumps(found.payload, indent=2, ensure_ascii=False),
            "can_replay": found.status != Delivery.Status.PENDING and found.endpoint.active,
        },
    )


@login_required
@require_POST
@translate_action_errors
def replay(request: HttpRequest, delivery_id: int) -> HttpResponse:
    found = actions.replay_delivery(_admin(request), delivery_id)
    messages.success(request, _("The delivery will be sent again in a moment."))
    return redirect("webhook_delivery", found.pk)

"""Recognition on the web: giving kudos from a profile (its own small page, and the form
folded in the profile), hiding one's badges, and the community managers' page for the kudos
list and the badge rules. docs/recognition.md."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rucher.errors import ActionError, Forbidden, NotFound
from rucher.people.models import Person
from rucher.recognition import actions, queries
from rucher.recognition.models import KUDOS_MESSAGE_MAX, Behaviour
from rucher.spaces import permissions
from rucher.web.common import user
from rucher.web.errors import error_page, translate_action_errors


def profile_context(viewer: Any, other: Person) -> dict[str, Any]:
    """What a profile shows of recognition (``people/profile.html`` includes
    ``recognition/_profile.html``): the kudos received, the badges, and for others the
    kudos form's choices. A fixed number of queries (pinned with the profile page)."""
    is_me = viewer.pk == other.pk
    context: dict[str, Any] = {
        "kudos": queries.received(viewer, other),
        "badges": queries.badges(viewer, other),
        "kudos_max": KUDOS_MESSAGE_MAX,
    }
    if is_me:
        context["badges_hidden"] = queries.hides_badges(other)
    else:
        context["kudos_kinds"] = queries.kinds()
        context["kudos_spaces"] = list(queries.kudos_spaces(viewer, other))
    return context


def _int_or_none(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return -1  # no such space: the action says "space not found"


@login_required
@require_http_methods(["GET", "POST"])
@translate_action_errors
def give_kudos(request: HttpRequest, person_id: int) -> HttpResponse:
    """GET: the kudos form on its own page (a phone, no script). POST: give; back to the
    profile, or the form again with the reason (4xx)."""
    viewer = user(request)
    other = permissions.get_visible_person(viewer, person_id)
    if other.pk == viewer.pk:
        raise Http404(_("page not found"))
    status, error = 200, ""
    values = {"kind": "", "message": "", "space": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            actions.give_kudos(
                viewer,
                other.pk,
                values["kind"],
                values["message"],
                space_id=_int_or_none(values["space"]),
            )
        except NotFound as refused:
            if refused.message == _("person not found"):
                raise
            status, error = refused.status, refused.message
        except ActionError as refused:
            status, error = refused.status, refused.message
        else:
            messages.success(
                request, _("Your kudos to %(name)s was sent.") % {"name": other.display_name}
            )
            return redirect(reverse("profile", args=[other.pk]) + "#kudos")
    return render(
        request,
        "recognition/give.html",
        {
            "other": other,
            "error": error,
            "values": values,
            "kudos_kinds": queries.kinds(),
            "kudos_spaces": list(queries.kudos_spaces(viewer, other)),
            "kudos_max": KUDOS_MESSAGE_MAX,
        },
        status=status,
    )


@login_required
@require_POST
@translate_action_errors
def badge_visibility(request: HttpRequest) -> HttpResponse:
    viewer = user(request)
    hidden = request.POST.get("hidden") == "1"
    actions.set_badges_hidden(viewer, hidden)
    messages.success(
        request,
        _("Your badges are now hidden from others.")
        if hidden
        else _("Your badges are now shown on your profile."),
    )
    return redirect(reverse("profile", args=[viewer.pk]) + "#badges")


def _checked(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) == "on"


def _threshold(value: str | None) -> Any:
    try:
        return int(value or "")
    except ValueError:
        return value  # the action refuses it with its reason


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """The kudos list and the badge rules (community managers and administrators; partner
    guests do not know the page exists: 404; other members: 403)."""
    viewer = user(request)
    if viewer.is_guest:
        raise Http404(_("page not found"))
    if not permissions.can_manage_recognition(viewer):
        return error_page(
            request, Forbidden(_("only community managers and administrators manage recognition"))
        )
    status, error_message = 200, ""
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "kind":
                found = request.POST.get("id")
                actions.save_kudos_kind(
                    viewer,
                    kind_id=int(found) if found and found.isdigit() else None,
                    label_fr=request.POST.get("label_fr", ""),
                    label_en=request.POST.get("label_en", ""),
                    symbol=request.POST.get("symbol", ""),
                    active=_checked(request, "active"),
                )
            elif what == "rule":
                found = request.POST.get("id")
                actions.save_badge_rule(
                    viewer,
                    rule_id=int(found) if found and found.isdigit() else None,
                    behaviour=request.POST.get("behaviour", ""),
                    threshold=_threshold(request.POST.get("threshold")),
                    name_fr=request.POST.get("name_fr", ""),
                    name_en=request.POST.get("name_en", ""),
                    symbol=request.POST.get("symbol", ""),
                    enabled=_checked(request, "enabled"),
                )
            else:
                status, error_message = 422, _("nothing to save")
        except ActionError as refused:
            status, error_message = refused.status, refused.message
        if not error_message:
            messages.success(request, _("Saved."))
            return redirect("recognition_manage")
    return render(
        request,
        "recognition/manage.html",
        {
            "kinds": queries.kinds(active_only=False),
            "rules": queries.rules(),
            "behaviours": Behaviour.choices,
            "error": error_message,
        },
        status=status,
    )

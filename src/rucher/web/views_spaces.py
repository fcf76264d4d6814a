"""Spaces: list and discover, create, the space page, membership buttons, invitations."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rucher import text
from rucher.activity.actions import record_view
from rucher.errors import ActionError
from rucher.people.models import Person
from rucher.recognition import queries as recognition
from rucher.spaces import actions as space_actions
from rucher.spaces import permissions
from rucher.spaces.confidential import record_reads, record_reads_by_id
from rucher.spaces.models import Membership, Space
from rucher.spaces.queries import active_member_count
from rucher.streams import queries
from rucher.streams.models import Follow, Mute, TargetType
from rucher.web.common import is_htmx, parse_id, stream_filters, user
from rucher.web.errors import translate_action_errors
from rucher.web.forms import ComposerForm, InviteForm, SpaceForm
from rucher.web.views_charter import rules_html


@login_required
def space_list(request: HttpRequest) -> HttpResponse:
    person = user(request)
    visible = permissions.visible_spaces(person).select_related("parent")
    statuses = dict(Membership.objects.filter(person=person).values_list("space_id", "status"))
    spaces = list(visible.order_by("name"))
    mine = [s for s in spaces if s.pk in statuses]
    discover = [s for s in spaces if s.pk not in statuses]
    return render(
        request,
        "spaces/list.html",
        {
            "mine": mine,
            "discover": discover,
            "statuses": statuses,
        },
    )


def _hubs(person: object) -> list[Space]:
    """Top-level spaces this person manages: the possible hubs of a new sub-space."""
    return [
        s
        for s in permissions.visible_spaces(person).filter(parent__isnull=True).order_by("name")
        if permissions.can_manage_space(person, s)
    ]


@login_required
@translate_action_errors
def space_create(request: HttpRequest) -> HttpResponse:
    person = user(request)
    if not permissions.can_create_space(person):
        raise Http404(_("partner guests cannot create spaces"))
    hubs = _hubs(person)
    status = 200
    if request.method == "POST":
        form = SpaceForm(request.POST, hubs=hubs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                space = space_actions.create_space(
                    person,
                    data["name"],
                    description=data["description"],
                    visibility=data["visibility"],
                    kind=data["kind"],
                    confidential=data["confidential"],
                    parent_id=parse_id(data["parent"], _("hub")) if data["parent"] else None,
                )
            except ActionError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                return redirect("space", space.slug)
        else:
            status = 422
    else:
        form = SpaceForm(hubs=hubs)
    return render(request, "spaces/create.html", {"form": form}, status=status)


@login_required
@translate_action_errors
def space_page(request: HttpRequest, slug: str) -> HttpResponse:
    person = user(request)
    space = permissions.get_visible_space_by_slug(person, slug)
    readable = permissions.can_read_space(person, space)
    mine = permissions.membership(person, space)
    manages = permissions.can_manage_space(person, space, mine)
    context: dict = {
        "space": space,
        "readable": readable,
        "membership": mine,
        "manages": manages,
        "hub": permissions.visible_spaces(person).filter(pk=space.parent_id).first()
        if space.parent_id
        else None,
        "children": list(permissions.visible_spaces(person).filter(parent=space)),
        "following": Follow.objects.filter(
            follower=person, target_type=TargetType.SPACE, target_id=space.pk
        ).exists(),
        "muted": Mute.objects.filter(
            person=person, target_type=TargetType.SPACE, target_id=space.pk
        ).exists(),
    }
    if readable:
        filters = stream_filters(request, with_space=False)
        page = queries.space_stream(
            person, space.pk, cursor=request.GET.get("cursor"), filters=filters
        )
        record_reads(person, page.items)
        if is_htmx(request) and request.GET.get("cursor"):
            return render(request, "streams/_page.html", {"page": page})
        record_view(person, "space", space.pk, space.pk)
        if space.confidential:
            record_reads_by_id(person, [(space.pk, "space", space.pk)])
        can_post = permissions.can_post_in(person, space, mine)
        # Kudos given in this space (rucher.recognition): a card in the side column, read
        # through the policy; none in a confidential space (refused when given).
        context["space_kudos"] = [] if space.confidential else recognition.in_space(person, space)
        context.update(
            {
                "page": page,
                "filters": filters,
                "kinds": queries.ROOT_KINDS,
                "can_post": can_post,
                "space_rules": rules_html(space.pk) if can_post else "",
                "form": ComposerForm(
                    spaces=[space], allow_profile=False, initial={"space": str(space.pk)}
                )
                if can_post
                else None,
                "members": list(
                    space.memberships.filter(status=Membership.Status.ACTIVE)
                    .select_related("person")
                    .order_by("person__last_name")[:60]
                ),
            }
        )
    if manages:
        context["requests"] = list(
            space.memberships.filter(status=Membership.Status.REQUESTED).select_related("person")
        )
        # Translated and capitalised once, not once per member in the roles table (issue 16).
        context["roles"] = [
            (value, str(capfirst(label))) for value, label in Membership.Role.choices
        ]
    if permissions.can_invite(person, space, mine):
        context["invite_form"] = InviteForm()
    if permissions.can_moderate(person, space, mine):
        active = active_member_count(space)
        if active > settings.RUCHER_SPACE_SPLIT_THRESHOLD:
            context["split_notice"] = active
    return render(request, "spaces/detail.html", context)


@login_required
@require_POST
@translate_action_errors
def join(request: HttpRequest, slug: str) -> HttpResponse:
    person = user(request)
    space = permissions.get_visible_space_by_slug(person, slug)
    membership = space_actions.join_space(person, space)
    if membership.status == Membership.Status.REQUESTED:
        messages.info(request, _("Your request to join was sent to the space's managers."))
    else:
        messages.success(request, _("You joined this space."))
    return redirect("space", space.slug)


@login_required
@require_POST
@translate_action_errors
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    person = user(request)
    space = permissions.get_visible_space_by_slug(person, slug)
    space_actions.leave_space(person, space)
    messages.success(request, _("You left this space."))
    if permissions.visible_spaces(person).filter(pk=space.pk).exists():
        return redirect("space", space.slug)
    return redirect("spaces")


@login_required
@require_POST
@translate_action_errors
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    person = user(request)
    space = permissions.get_visible_space_by_slug(person, slug)
    form = InviteForm(request.POST)
    invitee = None
    if form.is_valid():
        invitee = (
            permissions.visible_people(person)
            .filter(username=form.cleaned_data["username"].strip().lstrip("@"))
            .first()
        )
    if invitee is None:
        return render(
            request, "error.html", {"message": _("No one with this username.")}, status=422
        )
    space_actions.invite(person, space, invitee)
    messages.success(request, _("Invitation sent to %(name)s.") % {"name": invitee.display_name})
    return redirect("space", space.slug)


def _managed_membership(
    person: Person, slug: str, membership_id: int, status: str
) -> tuple[Space, Membership]:
    """A membership of a space this person manages; to anyone else, neither exists."""
    space = permissions.get_visible_space_by_slug(person, slug)
    if not permissions.can_manage_space(person, space):
        raise Http404(_("space not found"))
    membership = (
        space.memberships.select_related("space", "person")
        .filter(pk=membership_id, status=status)
        .first()
    )
    if membership is None:
        raise Http404(_("membership not found"))
    return space, membership


@login_required
@require_POST
@translate_action_errors
def approve(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    person = user(request)
    requested = Membership.Status.REQUESTED
    space, membership = _managed_membership(person, slug, membership_id, requested)
    space_actions.approve_request(person, membership)
    messages.success(
        request, _("%(name)s is now a member.") % {"name": membership.person.display_name}
    )
    return redirect("space", space.slug)


@login_required
@require_POST
@translate_action_errors
def change_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    person = user(request)
    space, membership = _managed_membership(person, slug, membership_id, Membership.Status.ACTIVE)
    return _set_role(request, person, space, membership)


@login_required
@require_POST
@translate_action_errors
def change_role_by_username(request: HttpRequest, slug: str) -> HttpResponse:
    """The same, for a member found by username (a large space lists only its first members)."""
    person = user(request)
    space = permissions.get_visible_space_by_slug(person, slug)
    if not permissions.can_manage_space(person, space):
        raise Http404(_("space not found"))
    username = text.require(request.POST.get("username", ""), _("username")).strip().lstrip("@")
    membership = (
        space.memberships.select_related("space", "person")
        .filter(person__username=username, status=Membership.Status.ACTIVE)
        .first()
    )
    if membership is None:
        message = _("No member of this space has this username.")
        return render(request, "error.html", {"message": message}, status=422)
    return _set_role(request, person, space, membership)


def _set_role(
    request: HttpRequest, person: Person, space: Space, membership: Membership
) -> HttpResponse:
    space_actions.set_role(person, membership, request.POST.get("role", ""))
    messages.success(
        request,
        _("%(name)s is now %(role)s.")
        % {"name": membership.person.display_name, "role": membership.get_role_display()},
    )
    return redirect("space", space.slug)

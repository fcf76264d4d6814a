"""Settings (mutes, [tag] hide rules, API tokens, feed keys, warnings received) and the
moderators' restore action (the list is on the moderation page, ``views_moderation``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import slug_re
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rucher.conversations import actions as conversation_actions
from rucher.conversations.models import Content, Topic
from rucher.conversations.topics import normalise_topic
from rucher.errors import ActionError, Invalid
from rucher.feeds import actions as feed_actions
from rucher.feeds.keys import usable_key
from rucher.feeds.links import feed_url
from rucher.feeds.models import FeedToken
from rucher.moderation.queries import warnings_for
from rucher.people.actions import sessions as session_actions
from rucher.people.actions import tokens
from rucher.people.models import AccessToken, Person, SessionRecord
from rucher.spaces import permissions
from rucher.spaces.models import Membership
from rucher.streams import actions as stream_actions
from rucher.streams.models import Follow, HideRule, Mute, TargetType
from rucher.web.common import parse_id, user
from rucher.web.devices import describe_device
from rucher.web.errors import translate_action_errors
from rucher.web.forms import HideTagForm, TokenForm


def _mutes(person: Person) -> list[dict[str, Any]]:
    """The person's mutes with a readable name (only for targets still visible to them)."""
    rows = list(Mute.objects.filter(person=person).order_by("target_type", "created_at"))
    ids: dict[str, list[int]] = {}
    for row in rows:
        ids.setdefault(row.target_type, []).append(row.target_id)
    names: dict[tuple[str, int], str] = {}
    for p in permissions.visible_people(person).filter(pk__in=ids.get(TargetType.PERSON, [])):
        names[(TargetType.PERSON, p.pk)] = p.display_name
    for s in permissions.visible_spaces(person).filter(pk__in=ids.get(TargetType.SPACE, [])):
        names[(TargetType.SPACE, s.pk)] = s.name
    for t in Topic.objects.filter(pk__in=ids.get(TargetType.TOPIC, [])):
        names[(TargetType.TOPIC, t.pk)] = f"#{t.name}"
    return [
        {
            "type": row.target_type,
            "id": row.target_id,
            "name": names[(row.target_type, row.target_id)],
        }
        for row in rows
        if (row.target_type, row.target_id) in names
    ]


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    person = user(request)
    return render(
        request,
        "settings/preferences.html",
        {
            "mutes": _mutes(person),
            "rules": HideRule.objects.filter(person=person).order_by("tag"),
            "form": HideTagForm(),
            "warnings": warnings_for(person),
        },
    )


@login_required
@require_POST
def hide_rule(request: HttpRequest) -> HttpResponse:
    person = user(request)
    form = HideTagForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            if request.POST.get("op") == "remove":
                stream_actions.show_tag(person, form.cleaned_data["tag"])
            else:
                stream_actions.hide_tag(person, form.cleaned_data["tag"])
        except ActionError as error:
            form.add_error("tag", error.message)
            status = error.status
        else:
            return redirect("preferences")
    return render(
        request,
        "settings/preferences.html",
        {
            "mutes": _mutes(person),
            "rules": HideRule.objects.filter(person=person).order_by("tag"),
            "form": form,
            "warnings": warnings_for(person),
        },
        status=status,
    )


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """My signed-in sessions (device, address, last seen); a POST signs out all the others."""
    person = user(request)
    current = request.session.session_key or ""
    ended = None
    if request.method == "POST":
        ended = session_actions.end_other_sessions(person, current)
    records = SessionRecord.objects.filter(person=person).order_by("-last_seen_at")
    return render(
        request,
        "settings/sessions.html",
        {
            "records": [
                (r, r.session_key == current, describe_device(r.user_agent)) for r in records
            ],
            "ended": ended,
        },
    )


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    person = user(request)
    may_administer = person.kind == Person.Kind.ADMIN
    form = TokenForm(request.POST or None, may_administer=may_administer)
    new_token = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _row, new_token = tokens.create_token(
                    person,
                    form.cleaned_data["name"],
                    form.lifetime_days(),
                    scopes=form.chosen_scopes(),
                )
            except ActionError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                form = TokenForm(may_administer=may_administer)
        else:
            status = 422
    return render(
        request,
        "settings/tokens.html",
        {
            "form": form,
            "tokens": AccessToken.objects.filter(person=person).order_by("-created_at"),
            "new_token": new_token,
        },
        status=status,
    )


@login_required
@require_POST
@translate_action_errors
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    tokens.revoke_token(user(request), token_id)
    messages.success(request, _("The token was revoked."))
    return redirect("api_tokens")


def _feed(key: str, label: str, kind: str, name: str = "") -> dict[str, str]:
    return {
        "label": label,
        "atom": feed_url(key, kind, name, "atom"),
        "rss": feed_url(key, kind, name, "rss"),
    }


def _feeds_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    """The person's key and feed URLs: home, the space or topic they came from (``?space=``,
    ``?topic=``: only what they may read; a confidential space gets a notice, not a feed),
    their spaces and the topics they follow."""
    token = FeedToken.objects.filter(person=person, revoked_at__isnull=True).first()
    key = usable_key(token)
    context: dict[str, Any] = {"key": key, "stale": token is not None and key is None}
    slug = request.GET.get("space") or ""
    asked = (
        permissions.readable_spaces(person).filter(slug=slug).first()
        if slug_re.fullmatch(slug)
        else None
    )
    context["confidential_space"] = asked if asked and asked.confidential else None
    try:
        topic = normalise_topic(request.GET["topic"]) if request.GET.get("topic") else None
    except Invalid:
        topic = None
    if key is None:
        return context
    context["home"] = _feed(key, _("My home stream"), "home")
    if asked is not None and not asked.confidential:
        context["asked"] = _feed(key, asked.name, "space", asked.slug)
    elif topic is not None:
        context["asked"] = _feed(key, f"#{topic}", "topic", topic)
    mine = Membership.objects.filter(person=person, status=Membership.Status.ACTIVE)
    spaces = permissions.analysable_spaces(person, leaving_rucher=True).filter(
        id__in=mine.values("space_id")
    )
    context["spaces"] = [_feed(key, s.name, "space", s.slug) for s in spaces.order_by("name")]
    followed = Follow.objects.filter(follower=person, target_type=TargetType.TOPIC)
    topics = Topic.objects.filter(pk__in=followed.values("target_id")).order_by("name")
    context["topics"] = [_feed(key, f"#{t.name}", "topic", t.name) for t in topics]
    return context


@login_required
def feeds(request: HttpRequest) -> HttpResponse:
    """The person's RSS/Atom feed URLs, and their key: create, regenerate, revoke."""
    person = user(request)
    status = 200
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("op") == "revoke":
                feed_actions.revoke_feed_key(person)
                messages.success(
                    request, _("Your feed key was revoked: your feed links no longer work.")
                )
            elif request.POST.get("op") == "create":
                feed_actions.create_feed_key(person)
                messages.success(
                    request,
                    _("Your new feed key is ready: links made with an older key no longer work."),
                )
            else:
                raise Invalid(_("unknown operation"))
        except ActionError as failure:
            error, status = failure.message, failure.status
        else:
            return redirect(request.get_full_path())
    context = _feeds_context(request, person)
    context["error"] = error
    return render(request, "settings/feeds.html", context, status=status)


def restorable(person: Person) -> list[Content]:
    since = timezone.now() - timedelta(days=settings.RUCHER_DELETED_RETENTION_DAYS)
    deleted = (
        Content.objects.filter(status=Content.Status.DELETED, deleted_at__gte=since)
        .restorable_by(person)
        .select_related("author", "space", "deleted_by")
        .order_by("-deleted_at")
    )
    return list(deleted[:200])


@login_required
@require_POST
@translate_action_errors
def restore(request: HttpRequest, content_id: int) -> HttpResponse:
    conversation_actions.restore(user(request), parse_id(content_id))
    messages.success(request, _("The content was restored."))
    return redirect("moderation")

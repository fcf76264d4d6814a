"""Home stream, topic page, "my questions", the composer and reaction toggles."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rucher.activity.actions import record_view
from rucher.conversations import actions as conversation_actions
from rucher.conversations.models import Content, Reaction, Topic
from rucher.conversations.queries import get_visible_content
from rucher.conversations.sensitive import SensitiveFound
from rucher.conversations.topics import normalise_topic
from rucher.errors import ActionError, Invalid
from rucher.idempotency import store as idempotency
from rucher.idempotency.models import IdempotencyRecord
from rucher.idempotency.store import check_key, fingerprint
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.confidential import record_reads
from rucher.streams import queries
from rucher.streams.models import Follow, Mute, TargetType
from rucher.streams.reading import opens_on_essential
from rucher.web import views_discovery
from rucher.web.common import confirmed, is_htmx, parse_id, stream_filters, user
from rucher.web.errors import safe_next, translate_action_errors
from rucher.web.forms import ComposerForm, new_form_key


def _stream_response(
    request: HttpRequest, template: str, page: queries.Page, context: dict
) -> HttpResponse:
    """A whole page, or (HTMX "load more") only the next items. Confidential items shown are
    reads, recorded like any other read of them."""
    record_reads(request.user, page.items)
    context = {**context, "page": page}
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "streams/_page.html", context)
    return render(request, template, context)


@login_required
@translate_action_errors
def home(request: HttpRequest) -> HttpResponse:
    person = user(request)
    # A person who chose Essentiel as their first stream gets it at "/"; any filter, cursor or
    # ``?stream=latest`` (Essentiel's link to the chronological stream) asks for the latter.
    if not request.GET and opens_on_essential(person):
        return views_discovery.render_essential(request, person)
    filters = stream_filters(request)
    page = queries.home(person, cursor=request.GET.get("cursor"), filters=filters)
    record_view(person, "stream", None, None)
    spaces = list(permissions.postable_spaces(person).order_by("name"))
    return _stream_response(
        request,
        "streams/home.html",
        page,
        {
            "form": ComposerForm(
                spaces=spaces, allow_profile=permissions.can_post_on_profile(person)
            ),
            "spaces": spaces,
            "filters": filters,
            "kinds": queries.ROOT_KINDS,
        },
    )


@login_required
@require_POST
def compose(request: HttpRequest) -> HttpResponse:
    """Publish a post or question, in a space or on the author's profile."""
    person = user(request)
    spaces = list(permissions.postable_spaces(person).order_by("name"))
    profile = permissions.can_post_on_profile(person)
    if request.POST.get("fixed_space") == "1":
        # A space's own composer: shown again after an error, it keeps its one destination
        # rather than offering every space.
        chosen = [s for s in spaces if str(s.pk) == request.POST.get("space")]
        if chosen:
            spaces, profile = chosen, False
    form = ComposerForm(request.POST, spaces=spaces, allow_profile=profile)
    sensitive: SensitiveFound | None = None
    if form.is_valid():
        try:
            content = _publish_once(person, form, confirmed(request))
        except SensitiveFound as error:  # the findings, and (warn) a button to confirm
            sensitive, status = error, error.status
        except ActionError as error:
            form.add_error(None, error.message)
            status = error.status
        else:
            if is_htmx(request):
                page = queries.Page([content], None, {})
                response = render(request, "streams/_items.html", {"page": page})
                # The composer stays on the page: give it a new key for the next post.
                response.write(
                    render_to_string("streams/_composer_key.html", {"key": new_form_key()})
                )
                return response
            return redirect(safe_next(request, reverse("content", args=[content.pk])))
    else:
        status = 422
    if is_htmx(request):
        # Put the form, with its message, back in place of the composer.
        response = render(
            request,
            "streams/_composer.html",
            {"form": form, "sensitive": sensitive},
            status=status,
        )
        response["HX-Retarget"] = "#composer"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(
        request, "streams/compose.html", {"form": form, "sensitive": sensitive}, status=status
    )


def _publish_once(person: Person, form: ComposerForm, confirm_sensitive: bool = False) -> Content:
    """Publish, once per form key: a double submit (or a retry after a lost answer) finds
    the post the first one made instead of making another (rucher.idempotency)."""
    data = form.cleaned_data
    space_id = form.space_id()
    key = data.get("idempotency_key") or ""
    with transaction.atomic():
        claimed: IdempotencyRecord | None = None
        if key:
            print_ = fingerprint("compose", str(space_id), data["kind"], data["text"])
            found = idempotency.claim(person, "web:" + check_key(key), print_)
            if isinstance(found, idempotency.Stored):
                return get_visible_content(person, int(found.body))
            claimed = found
        space = None
        if space_id is not None:
            space = permissions.get_visible_space(person, space_id)
        content = conversation_actions.publish(
            person, space, data["text"], kind=data["kind"], confirm_sensitive=confirm_sensitive
        )
        if claimed is not None:
            idempotency.complete(claimed, idempotency.Stored(201, "text/plain", str(content.pk)))
        return content


@login_required
@require_POST
@translate_action_errors
def react(request: HttpRequest, content_id: int) -> HttpResponse:
    """Click on a reaction: the same one again takes it back."""
    person = user(request)
    content = get_visible_content(person, content_id)
    kind = request.POST.get("kind", "")
    if kind not in Reaction.Kind.values:
        raise Invalid(_("unknown reaction"))
    conversation_actions.toggle_reaction(person, content, kind)
    if not is_htmx(request):
        return redirect(safe_next(request, reverse("content", args=[content.pk])))
    content.refresh_from_db(fields=["reaction_count", "reaction_counts"])
    mine = Reaction.objects.filter(content=content, person=person).values_list("kind", flat=True)
    return render(
        request,
        "streams/_reactions.html",
        {
            "item": content,
            "my_reaction": next(iter(mine), None),
        },
    )


@login_required
@translate_action_errors
def topic(request: HttpRequest, name: str) -> HttpResponse:
    person = user(request)
    clean = normalise_topic(name)
    page = queries.topic_stream(person, clean, cursor=request.GET.get("cursor"))
    topic_row = Topic.objects.filter(name=clean).first()
    following = muted = False
    if topic_row is not None:
        following = Follow.objects.filter(
            follower=person, target_type=TargetType.TOPIC, target_id=topic_row.pk
        ).exists()
        muted = Mute.objects.filter(
            person=person, target_type=TargetType.TOPIC, target_id=topic_row.pk
        ).exists()
    return _stream_response(
        request,
        "streams/topic.html",
        page,
        {
            "topic": clean,
            "following": following,
            "muted": muted,
        },
    )


@login_required
@translate_action_errors
def my_questions(request: HttpRequest) -> HttpResponse:
    person = user(request)
    page = queries.my_questions(person, cursor=request.GET.get("cursor"))
    return _stream_response(request, "streams/questions.html", page, {})


def content_or_404(request: HttpRequest, content_id: object) -> Content:
    return get_visible_content(user(request), parse_id(content_id))

"""The content page (/posts/<id>/): thread, replies, answers, edits, shares, polls, files."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rucher.activity.actions import record_view
from rucher.conversations import actions as conversation_actions
from rucher.conversations.models import Attachment, Content, Poll, PollVote, Reaction
from rucher.conversations.queries import get_content_for_page, get_visible_content, poll_results
from rucher.conversations.sensitive import SensitiveFound
from rucher.downloads import file_download
from rucher.errors import ActionError, Invalid
from rucher.expertise import actions as expertise_actions
from rucher.expertise.requests import suggested_for
from rucher.meaning.neighbours import related_items
from rucher.moderation.queries import why_hidden
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.confidential import record_reads
from rucher.streams import actions as stream_actions
from rucher.streams.actions import MAX_PIN_DAYS, PIN_DAYS
from rucher.streams.models import EssentialPin
from rucher.streams.queries import thread
from rucher.web.common import confirmed, parse_id, user
from rucher.web.errors import translate_action_errors
from rucher.web.forms import AttachmentForm, EditForm, PollForm, ReplyForm, ShareForm


def _poll_context(person: Person, root: Content) -> dict[str, Any]:
    poll = Poll.objects.filter(content=root).prefetch_related("options").first()
    if poll is None:
        return {}
    my_vote = PollVote.objects.filter(poll=poll, person=person).first()
    return {
        "poll": poll,
        "results": poll_results(poll),
        "my_vote": my_vote,
        "nps_scale": range(11),
    }


# A long thread opens on its newest replies, with a link to the earlier ones (as Discourse or
# Viva Engage do): a hundred replies rendered whole cost ~60 ms of server time for a reader who
# mostly came for the last few (issue 16). ``?replies=all`` shows them all; a link to an
# earlier reply (``#c<id>``: a notification, a search result, a summary) still lands on it:
# the redirect from a reply's own address asks for the whole thread, and ui.js follows the
# "earlier replies" link when the anchor is not on the page.
LONG_THREAD = 40  # more replies than this and the earlier ones wait behind a link
RECENT_REPLIES = 30  # the newest replies a long thread opens on


def reply_anchor(root_id: int, content_id: int) -> str:
    """The address of a reply in its thread: the whole thread when it is a long one, so the
    reply is on the page whatever its age."""
    url = reverse("content", args=[root_id])
    if content_id != root_id:
        replies = Content.objects.filter(pk=root_id).values_list("comment_count", flat=True)
        if (replies.first() or 0) > LONG_THREAD:
            url += "?replies=all"
    return f"{url}#c{content_id}"


def newest_replies(replies: list[Content], *, is_question: bool) -> tuple[list[Content], int]:
    """The replies a long thread opens on (the newest, and an accepted answer whatever its
    age), and how many earlier ones wait behind the link."""
    if len(replies) <= LONG_THREAD:
        return replies, 0
    cut = len(replies) - RECENT_REPLIES
    kept = [r for r in replies[:cut] if r.accepted] if is_question else []
    return kept + replies[cut:], cut - len(kept)


def render_thread(
    request: HttpRequest,
    root: Content,
    *,
    reply_form: ReplyForm | None = None,
    share_form: ShareForm | None = None,
    attachment_form: AttachmentForm | None = None,
    sensitive: SensitiveFound | None = None,
    status: int = 200,
) -> HttpResponse:
    person = user(request)
    # The reader's membership of the space, read once for the checks below.
    member = permissions.membership(person, root.space) if root.space is not None else None
    moderating = permissions.can_moderate(person, root.space, member)
    everyone = thread(person, root, moderating=moderating)
    replies, earlier = (
        (everyone, 0)
        if request.GET.get("replies") == "all"
        else newest_replies(everyone, is_question=root.kind == Content.Kind.QUESTION)
    )
    if root.kind == Content.Kind.QUESTION:
        # The accepted answer first, then the others in order.
        replies.sort(key=lambda r: not r.accepted)
    ids = [root.pk] + [r.pk for r in replies]
    hidden = [c.pk for c in [root, *replies] if c.status == Content.Status.HIDDEN]
    mine = dict(
        Reaction.objects.filter(person=person, content_id__in=ids).values_list("content_id", "kind")
    )
    files: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in Attachment.objects.filter(content_id__in=ids).order_by("created_at"):
        files[attachment.content_id].append(attachment)
    share_spaces = (
        [s for s in permissions.share_targets(person).order_by("name") if s.pk != root.space_id]
        if permissions.is_shareable(root)
        else []
    )
    who = suggested_for(person, root)
    quote_id = request.GET.get("quote") or (reply_form.data.get("quoted") if reply_form else None)
    quoting = next((c for c in [root, *everyone] if str(c.pk) == str(quote_id)), None)
    initial_quote = {"quoted": quoting.pk} if quoting else {}
    context = {
        "root": root,
        "replies": replies,
        "reply_count": len(everyone),
        "earlier_replies": earlier,
        "my_reactions": mine,
        "files": files,
        "revisions": list(root.revisions.all()[:20]) if root.edited_at else [],
        "can_reply": permissions.can_reply(person, root, member),
        "can_moderate": moderating,
        **_pin_context(root, moderating),
        "hidden_reasons": why_hidden(hidden),
        "reply_form": reply_form or ReplyForm(initial=initial_quote),
        "sensitive": sensitive,
        "quoting": quoting,
        "share_form": share_form or (ShareForm(spaces=share_spaces) if share_spaces else None),
        "attachment_form": attachment_form or AttachmentForm(),
        "confidential": root.space is not None and root.space.confidential,
        "related": related_items(person, root),
        "who_could_answer": who,
        "to_mention": expertise_actions.not_yet_mentioned(root, who),
        **_poll_context(person, root),
    }
    return render(request, "content/detail.html", context, status=status)


@login_required
@translate_action_errors
def content_page(request: HttpRequest, content_id: int) -> HttpResponse:
    person = user(request)
    content = get_content_for_page(person, content_id)
    if content.parent_id is not None:
        return redirect(reply_anchor(content.root_id or content.parent_id, content.pk))
    record_view(person, content.kind, content.pk, content.space_id)
    record_reads(person, [content])
    return render_thread(request, content)


@login_required
@require_POST
@translate_action_errors
def reply(request: HttpRequest, content_id: int) -> HttpResponse:
    person = user(request)
    root = get_visible_content(person, content_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return render_thread(request, root, reply_form=form, status=422)
    try:
        quoted = None
        if form.cleaned_data["quoted"]:
            quoted = get_visible_content(person, form.cleaned_data["quoted"])
        created = conversation_actions.reply(
            person,
            root,
            form.cleaned_data["text"],
            quoted=quoted,
            confirm_sensitive=confirmed(request),
        )
    except SensitiveFound as error:
        return render_thread(request, root, reply_form=form, sensitive=error, status=error.status)
    except ActionError as error:
        form.add_error("text", error.message)
        return render_thread(request, root, reply_form=form, status=error.status)
    return redirect(reverse("content", args=[created.root_id or root.pk]) + f"#c{created.pk}")


def _pin_context(root: Content, moderating: bool) -> dict[str, Any]:
    """Pinning in the space's Essentiel, for its moderators (one query, theirs only)."""
    if not moderating or root.space_id is None or root.status != Content.Status.PUBLISHED:
        return {}
    return {
        "can_pin": True,
        "essential_pin": EssentialPin.objects.filter(content_id=root.pk).first(),
        "pin_days": PIN_DAYS,
        "max_pin_days": MAX_PIN_DAYS,
    }


@login_required
@require_POST
@translate_action_errors
def pin(request: HttpRequest, content_id: int) -> HttpResponse:
    """Pin the conversation in its space's Essentiel (or take it off: ``unpin`` posted)."""
    person = user(request)
    content = get_visible_content(person, content_id)
    if request.POST.get("unpin"):
        stream_actions.unpin_from_essential(person, content)
        messages.success(request, _("Taken off the space's Essentiel."))
    else:
        done = stream_actions.pin_to_essential(person, content, request.POST.get("days", ""))
        messages.success(
            request,
            _("Pinned in the Essentiel of the space's members until %(until)s.")
            % {"until": date_format(localtime(done.until), "SHORT_DATETIME_FORMAT")},
        )
    return redirect(reverse("content", args=[content.pk]) + f"#c{content.pk}")


@login_required
@require_POST
@translate_action_errors
def mention_experts(request: HttpRequest, content_id: int) -> HttpResponse:
    """ "Who could answer?": the asker mentions the people suggested in one click."""
    person = user(request)
    question = get_visible_content(person, content_id)
    mentioned = expertise_actions.mention_suggested(person, question)
    messages.success(
        request,
        ngettext(
            "%(names)s has been mentioned in your question.",
            "%(names)s have been mentioned in your question.",
            len(mentioned),
        )
        % {"names": ", ".join(p.display_name for p in mentioned)},
    )
    return redirect(reverse("content", args=[question.pk]) + f"#c{question.pk}")


@login_required
@require_POST
@translate_action_errors
def accept(request: HttpRequest, content_id: int) -> HttpResponse:
    person = user(request)
    answer = get_visible_content(person, content_id)
    conversation_actions.accept_answer(person, answer)
    return redirect(reverse("content", args=[answer.root_id or answer.pk]) + f"#c{answer.pk}")


@login_required
@translate_action_errors
def edit(request: HttpRequest, content_id: int) -> HttpResponse:
    person = user(request)
    content = get_visible_content(person, content_id)
    if content.author_id != person.pk:
        raise Http404(_("content not found"))
    status = 200
    sensitive: SensitiveFound | None = None
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                conversation_actions.edit(
                    person, content, form.cleaned_data["text"], confirm_sensitive=confirmed(request)
                )
            except SensitiveFound as error:
                sensitive, status = error, error.status
            except ActionError as error:
                form.add_error("text", error.message)
                status = error.status
            else:
                return redirect(reply_anchor(content.root_id or content.pk, content.pk))
        else:
            status = 422
    else:
        form = EditForm(initial={"text": content.text})
    return render(
        request,
        "content/edit.html",
        {"content": content, "form": form, "sensitive": sensitive},
        status=status,
    )


@login_required
@require_POST
@translate_action_errors
def delete(request: HttpRequest, content_id: int) -> HttpResponse:
    person = user(request)
    content = get_visible_content(person, content_id)
    conversation_actions.delete(person, content)
    if content.root_id:
        return redirect("content", content.root_id)
    if content.space is not None:
        return redirect("space", content.space.slug)
    return redirect("home")


@login_required
@require_POST
@translate_action_errors
def share(request: HttpRequest, content_id: int) -> HttpResponse:
    person = user(request)
    original = get_visible_content(person, content_id)
    spaces = list(permissions.share_targets(person).order_by("name"))
    form = ShareForm(request.POST, spaces=spaces)
    if not form.is_valid():
        return render_thread(request, original, share_form=form, status=422)
    try:
        space = permissions.get_visible_space(person, form.cleaned_data["space"])
        shared = conversation_actions.share(person, original, space, form.cleaned_data["text"])
    except ActionError as error:
        form.add_error(None, error.message)
        return render_thread(request, original, share_form=form, status=error.status)
    return redirect("content", shared.pk)


@login_required
@require_POST
@translate_action_errors
def vote(request: HttpRequest, content_id: int) -> HttpResponse:
    person = user(request)
    content = get_visible_content(person, content_id)
    poll = Poll.objects.filter(content=content).first()
    if poll is None:
        raise Invalid(_("this content is not a poll"))
    if poll.kind == Poll.Kind.NPS:
        raw = request.POST.get("score", "")
        if not raw.strip().isdigit():
            raise Invalid(_("an NPS answer is a whole number from 0 to 10"))
        conversation_actions.vote(person, content, score=int(raw))
    else:
        option = parse_id(request.POST.get("option"), _("option"))
        conversation_actions.vote(person, content, option_id=option)
    return redirect(reverse("content", args=[content.pk]) + "#poll")


@login_required
@translate_action_errors
def new_poll(request: HttpRequest, slug: str) -> HttpResponse:
    person = user(request)
    space = permissions.get_visible_space_by_slug(person, slug)
    permissions.require_post_in(person, space)
    status = 200
    if request.method == "POST":
        form = PollForm(request.POST)
        if form.is_valid():
            options = form.cleaned_data["options"].splitlines()
            try:
                content = conversation_actions.create_poll(
                    person,
                    space,
                    form.cleaned_data["question"],
                    options,
                    kind=form.cleaned_data["kind"],
                )
            except ActionError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                return redirect("content", content.pk)
        else:
            status = 422
    else:
        form = PollForm()
    return render(request, "content/new_poll.html", {"space": space, "form": form}, status=status)


@login_required
@require_POST
@translate_action_errors
def upload(request: HttpRequest, content_id: int) -> HttpResponse:
    person = user(request)
    content = get_visible_content(person, content_id)
    form = AttachmentForm(request.POST, request.FILES)
    root = (
        content
        if content.parent_id is None
        else get_visible_content(person, content.root_id or content.parent_id or content.pk)
    )
    if not form.is_valid():
        return render_thread(request, root, attachment_form=form, status=422)
    try:
        conversation_actions.attach(person, content, form.cleaned_data["file"])
    except ActionError as error:
        form.add_error("file", error.message)
        return render_thread(request, root, attachment_form=form, status=error.status)
    return redirect(reverse("content", args=[root.pk]) + f"#c{content.pk}")


@login_required
@translate_action_errors
def download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Files are only ever served here, after the permission check (never a public URL)."""
    person = user(request)
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404(_("file not found"))
    record_reads(person, [get_visible_content(person, attachment.content_id)])
    return file_download(attachment.file, attachment.name, attachment.content_type)

"""Direct messages' pages: /messages/ (my conversations, unread counts, a new one) and
/messages/<id>/ (the thread and its composer). A conversation is its participants' only:
anyone else, administrators included, gets the 404 page (docs/messaging.md)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from rucher.conversations.models import Reaction
from rucher.downloads import file_download
from rucher.errors import ActionError, Invalid, NotFound
from rucher.messaging import actions, queries, reading
from rucher.messaging.models import MAX_PARTICIPANTS
from rucher.notifications import inbox
from rucher.spaces import permissions
from rucher.web.common import is_htmx, parse_id, user
from rucher.web.errors import translate_action_errors
from rucher.web.forms import TextField

USERNAMES = re.compile(r"[\s,;]+")


class NewConversationForm(forms.Form):
    to = TextField(
        label=pgettext_lazy("recipients of a message", "To"),
        help_text=gettext_lazy(
            "Usernames separated by commas, e.g. claire.martin, bob (up to 19 people)"
        ),
        max_length=3000,
    )
    title = TextField(
        label=gettext_lazy("Name of the group (optional)"), required=False, max_length=100
    )
    text = TextField(
        label=gettext_lazy("Message"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MessageForm(forms.Form):
    text = TextField(
        label=gettext_lazy("Your message"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Markdown; @username mentions a participant"),
    )


def _files(request: HttpRequest) -> list[Any]:
    return list(request.FILES.getlist("files"))


def _recipients(request: HttpRequest, raw: str) -> list[int]:
    """The people named in the "To" field, among those the writer may see."""
    names = [n.lstrip("@") for n in USERNAMES.split(raw) if n.strip("@ ")]
    if not names:
        raise Invalid(_("choose at least one person to write to"))
    if len(set(names)) + 1 > MAX_PARTICIPANTS:
        raise Invalid(
            _("a conversation has at most %(max)s people (%(given)s given)")
            % {"max": MAX_PARTICIPANTS, "given": len(set(names)) + 1}
        )
    found = dict(
        permissions.visible_people(user(request))
        .filter(username__in=names)
        .values_list("username", "pk")
    )
    missing = [n for n in dict.fromkeys(names) if n not in found]
    if missing:
        raise Invalid(
            _("nobody you can write to is called %(names)s") % {"names": ", ".join(missing)}
        )
    return list(dict.fromkeys(found[n] for n in names))


def _new_form(request: HttpRequest) -> NewConversationForm:
    """The empty form, addressed to ``?to=<person id>`` when the writer may see them."""
    initial: dict[str, str] = {}
    to = request.GET.get("to")
    if to:
        found = (
            permissions.visible_people(user(request))
            .filter(pk=parse_id(to, _("person")))
            .values_list("username", flat=True)
            .first()
        )
        if found:
            initial["to"] = found
    return NewConversationForm(initial=initial)


@login_required
@translate_action_errors
def conversation_list(request: HttpRequest) -> HttpResponse:
    person = user(request)
    page = queries.conversation_page(person, request.GET.get("cursor") or None)
    context = {"page": page, "form": _new_form(request), "max_people": MAX_PARTICIPANTS}
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "messaging/_rows.html", context)
    return render(request, "messaging/list.html", context)


@login_required
@require_POST
@translate_action_errors
def start(request: HttpRequest) -> HttpResponse:
    person = user(request)
    form = NewConversationForm(request.POST)
    if form.is_valid():
        try:
            message = actions.start_conversation(
                person,
                _recipients(request, form.cleaned_data["to"]),
                form.cleaned_data["text"],
                title=form.cleaned_data["title"],
                files=_files(request),
            )
        except NotFound:
            form.add_error("to", _("nobody you can write to has one of these names"))
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            return redirect("message_thread", message.conversation_id)
    page = queries.conversation_page(person)
    context = {"page": page, "form": form, "max_people": MAX_PARTICIPANTS}
    return render(request, "messaging/list.html", context, status=422)


def _thread_page(
    request: HttpRequest, conversation_id: int, form: MessageForm | None = None, status: int = 200
) -> HttpResponse:
    person = user(request)
    conversation = queries.get_conversation(person, conversation_id)
    found = queries.thread(person, conversation, request.GET.get("cursor") or None)
    read_mark = found.my_read_mark
    if not request.GET.get("cursor"):
        reading.mark_read(person, conversation)
        inbox.mark_subject_read(person, f"conversation:{conversation.pk}")
    context = {
        "thread": found,
        "form": form or MessageForm(),
        "reaction_kinds": Reaction.Kind.choices,
        # The "New" line: above the first message of others I had not read.
        "first_new": next(
            (
                shown.message.pk
                for shown in found.messages
                if shown.message.pk > read_mark and shown.message.author_id != person.pk
            ),
            None,
        ),
    }
    return render(request, "messaging/thread.html", context, status=status)


@login_required
@translate_action_errors
def thread(request: HttpRequest, conversation_id: int) -> HttpResponse:
    if request.method == "POST":
        return _send(request, conversation_id)
    return _thread_page(request, parse_id(conversation_id))


def _send(request: HttpRequest, conversation_id: int) -> HttpResponse:
    person = user(request)
    queries.get_conversation(person, conversation_id)  # 404 before anything else
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message = actions.send_message(
                person, conversation_id, form.cleaned_data["text"], files=_files(request)
            )
        except NotFound:
            raise
        except ActionError as error:
            form.add_error(None, error.message)
            return _thread_page(request, conversation_id, form, status=error.status)
        return redirect(f"/messages/{conversation_id}/#m{message.pk}")
    return _thread_page(request, conversation_id, form, status=422)


@login_required
@require_POST
@translate_action_errors
def react(request: HttpRequest, message_id: int) -> HttpResponse:
    person = user(request)
    message = queries.get_message(person, parse_id(message_id))
    kind = request.POST.get("kind") or ""
    if kind == "remove":
        actions.unreact_to_message(person, message.pk)
    else:
        actions.react_to_message(person, message.pk, kind)
    return redirect(f"/messages/{message.conversation_id}/#m{message.pk}")


@login_required
@translate_action_errors
def download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """A file sent in a conversation: to its participants only, after the check."""
    attachment = queries.get_attachment(user(request), parse_id(attachment_id))
    return file_download(attachment.file, attachment.name, attachment.content_type)

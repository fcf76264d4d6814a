"""Publishing rules in the moderation area: the organisation's watched words and new
accounts' first posts (administrators), a space's watched words and slow mode (its
community managers). Every change goes through ``rucher.moderation.actions``; a refusal comes
back as the page with the message and its 4xx status, nothing written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rucher.errors import ActionError, Forbidden, NotFound
from rucher.moderation import actions
from rucher.moderation.models import WatchedWord
from rucher.moderation.queries import new_account_rules, slow_mode_minutes, watched_words
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space
from rucher.web.common import parse_id, user
from rucher.web.errors import translate_action_errors

DONE = {
    "add": gettext_lazy("The word is watched."),
    "update": gettext_lazy("The watched word is changed."),
    "delete": gettext_lazy("The word is no longer watched."),
    "slow_mode": gettext_lazy("Slow mode is saved."),
    "new_accounts": gettext_lazy("The rule for new accounts is saved."),
}


def _change(person: Person, space: Space | None, data: Any) -> str:
    """Apply the form's operation; returns its name (for the message)."""
    op = data.get("op", "")
    if op == "add":
        actions.add_watched_word(
            person,
            space,
            data.get("pattern", ""),
            data.get("mode") or "word",
            data.get("action") or "",
            data.get("replacement") or None,
        )
    elif op in ("update", "delete"):
        word_id = parse_id(data.get("word"), _("watched word"))
        if not watched_words(space).filter(pk=word_id).exists():
            raise NotFound(_("no watched word with this id"))
        if op == "delete":
            actions.remove_watched_word(person, word_id)
        else:
            actions.update_watched_word(
                person, word_id, action=data.get("action"), replacement=data.get("replacement")
            )
    elif op == "slow_mode" and space is not None:
        actions.set_slow_mode(person, space, data.get("minutes", ""))
    elif op == "new_accounts" and space is None:
        actions.set_new_account_rules(person, data.get("posts", ""), data.get("days", ""))
    else:
        raise NotFound(_("page not found"))
    return str(op)


def _page(request: HttpRequest, person: Person, space: Space | None) -> HttpResponse:
    status, error = 200, ""
    if request.method == "POST":
        try:
            op = _change(person, space, request.POST)
        except NotFound:
            raise
        except ActionError as refused:
            status, error = refused.status, refused.message
        else:
            messages.success(request, str(DONE[op]))
            return redirect(request.path)
    context: dict[str, Any] = {
        "space": space,
        "words": list(watched_words(space)),
        "modes": WatchedWord.Mode.choices,
        "word_actions": WatchedWord.Action.choices,
        "error": error,
        "posted": request.POST if status != 200 else {},
    }
    if space is None:
        context["new_accounts"] = new_account_rules()
        context["spaces"] = list(permissions.managed_spaces(person).order_by("name"))
    else:
        context["slow_mode"] = slow_mode_minutes(space)
    return render(request, "moderation/rules.html", context, status=status)


@login_required
@translate_action_errors
def organisation_rules(request: HttpRequest) -> HttpResponse:
    """Administrators: the organisation's watched words and the new-account rule; anyone
    who manages spaces: the links to their spaces' rules."""
    person = user(request)
    if person.is_guest:
        raise Http404(_("page not found"))
    if person.kind != Person.Kind.ADMIN:
        spaces = list(permissions.managed_spaces(person).order_by("name"))
        if not spaces:
            raise Forbidden(_("only administrators and community managers set publishing rules"))
        if request.method == "POST":
            raise Forbidden(_("only administrators change the organisation's rules"))
        return render(request, "moderation/rules.html", {"space": None, "spaces": spaces})
    return _page(request, person, None)


@login_required
@translate_action_errors
def space_rules(request: HttpRequest, space_id: int) -> HttpResponse:
    person = user(request)
    space = permissions.get_visible_space(person, space_id)
    actions.require_rules_manager(person, space)
    return _page(request, person, space)

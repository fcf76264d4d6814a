"""Polls: create a choice or a 0–10 NPS poll, answer it once."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.conversations.actions.common import audience, clean_text, create_content, readable
from rucher.conversations.models import Content, Poll, PollOption, PollVote
from rucher.conversations.rendering import extract
from rucher.errors import Conflict, Invalid
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space
from rucher.text import is_blank, require, strip

MAX_OPTIONS = 10
MAX_QUESTION = 300
MAX_OPTION = 200


@transaction.atomic
def create_poll(
    author: Person,
    space: Space,
    question: object,
    options: list[str] | None = None,
    kind: str = Poll.Kind.CHOICE,
) -> Content:
    text = clean_text(question, MAX_QUESTION, _("question"))
    if kind not in Poll.Kind.values:
        raise Invalid(_("poll kind must be choice or nps"))
    labels = [strip(require(o, _("option"))) for o in (options or []) if isinstance(o, str)]
    labels = [label for label in labels if not is_blank(label)]
    if kind == Poll.Kind.CHOICE and not 2 <= len(labels) <= MAX_OPTIONS:
        raise Invalid(_("a choice poll needs 2 to %(max)s options") % {"max": MAX_OPTIONS})
    if any(len(label) > MAX_OPTION for label in labels):
        raise Invalid(_("an option has at most 200 characters"))
    reach = audience(author, space, extract(text)[0])
    permissions.require_post_in(author, space, reach.member)
    content = create_content(author, Content.Kind.POLL, text, space=space, reach=reach)
    poll = Poll.objects.create(content=content, kind=kind, question=text)
    if kind == Poll.Kind.CHOICE:
        PollOption.objects.bulk_create(
            [PollOption(poll=poll, label=label, position=i) for i, label in enumerate(labels)]
        )
    return content


@transaction.atomic
def vote(
    person: Person, poll_content: Content, *, option_id: int | None = None, score: int | None = None
) -> PollVote:
    content = readable(person, poll_content)
    poll = Poll.objects.filter(content=content).first()
    if poll is None:
        raise Invalid(_("this content is not a poll"))
    if not permissions.can_vote(person, content):
        raise Invalid(_("join this space to vote"))
    if poll.kind == Poll.Kind.NPS:
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
            raise Invalid(_("an NPS answer is a whole number from 0 to 10"))
        option, value = None, float(score)
    else:
        option = poll.options.filter(pk=option_id).first() if option_id is not None else None
        if option is None:
            raise Invalid(_("choose one of the poll's options"))
        value, score = float(option.position), None
    try:
        with transaction.atomic():
            ballot = PollVote.objects.create(poll=poll, person=person, option=option, score=score)
    except IntegrityError:
        raise Conflict(_("you already answered this poll")) from None
    record(person, "voted", "poll", content.pk, space_id=content.space_id, value=value)
    return ballot

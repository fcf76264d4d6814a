"""Polls: choice polls and 0–10 "how likely are you to recommend…" (NPS) polls."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rucher.activity.actions import record
from rucher.conversations.actions import _create, clean_text
from rucher.conversations.models import Content, Poll, PollOption, PollVote
from rucher.errors import Conflict, Invalid
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Space

MAX_OPTIONS = 10
MIN_NPS_ANSWERS = 10  # below it the margin of error is meaningless; the page says so


@transaction.atomic
def create_poll(
    author: Person,
    space: Space,
    question: object,
    options: list[str] | None = None,
    kind: str = Poll.Kind.CHOICE,
) -> Content:
    text = clean_text(question, 300, _("question"))
    if kind not in Poll.Kind.values:
        raise Invalid(_("poll kind must be choice or nps"))
    labels = [o.strip() for o in (options or []) if isinstance(o, str) and o.strip()]
    if kind == Poll.Kind.CHOICE and not 2 <= len(labels) <= MAX_OPTIONS:
        raise Invalid(_("a choice poll needs 2 to %(max)s options") % {"max": MAX_OPTIONS})
    if any(len(label) > 200 for label in labels):
        raise Invalid(_("an option has at most 200 characters"))
    permissions.require_post_in(author, space)
    content = _create(author, Content.Kind.POLL, text, space=space)
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
    content = permissions.get_visible_content(person, poll_content.pk, record_read=False)
    poll = Poll.objects.filter(content=content).first()
    if poll is None:
        raise Invalid(_("this content is not a poll"))
    if content.space is not None and not permissions.can_post_in(person, content.space):
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


@dataclass(frozen=True)
class NpsResult:
    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None  # −100 … +100
    margin: float | None  # 95 % margin of error, in NPS points
    enough: bool


def nps_of(scores: list[int]) -> NpsResult:
    """NPS = %promoters (9–10) − %detractors (0–6). Its 95 % margin of error treats each
    answer as +1 / 0 / −1: var = p₊ + p₋ − (p₊ − p₋)², margin = 1.96·√(var/n)·100
    (docs/insights.md, "NPS")."""
    n = len(scores)
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    if n == 0:
        return NpsResult(0, 0, 0, 0, None, None, False)
    p_plus, p_minus = promoters / n, detractors / n
    variance = p_plus + p_minus - (p_plus - p_minus) ** 2
    return NpsResult(
        n,
        promoters,
        n - promoters - detractors,
        detractors,
        round((p_plus - p_minus) * 100, 1),
        round(1.96 * math.sqrt(variance / n) * 100, 1),
        n >= MIN_NPS_ANSWERS,
    )


def poll_results(poll: Poll) -> dict:
    if poll.kind == Poll.Kind.NPS:
        scores = list(poll.votes.values_list("score", flat=True))
        return {"kind": "nps", "nps": nps_of([s for s in scores if s is not None])}
    counts = {o.pk: 0 for o in poll.options.all()}
    for option_id in poll.votes.values_list("option_id", flat=True):
        if option_id in counts:
            counts[option_id] += 1
    total = sum(counts.values())
    return {
        "kind": "choice",
        "total": total,
        "options": [
            {
                "id": o.pk,
                "label": o.label,
                "votes": counts[o.pk],
                "share": round(100 * counts[o.pk] / total, 1) if total else 0.0,
            }
            for o in poll.options.all()
        ],
    }

"""Read paths of conversations: one content item, a poll's results. Every read goes through the
read policy (``Content.objects.visible_to``); none records anything (confidential reads are
recorded by the edge that shows the content: ``spaces.confidential``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from rucher.conversations.models import Content, Poll
from rucher.errors import NotFound
from rucher.insights.nps import MIN_NPS_RESPONSES, nps_components, nps_margin, valid_scores
from rucher.spaces import permissions


def get_visible_content(person: Any, content_id: int | str) -> Content:
    """Readable content by id (with its author, department and space), or NotFound."""
    try:
        return (
            Content.objects.visible_to(person)
            .select_related("author", "space", "author__department")
            .get(pk=int(content_id))
        )
    except (Content.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("content not found")) from None


def get_content_for_page(person: Any, content_id: int | str) -> Content:
    """Readable content, or hidden content this person still sees (its author, the
    moderators: ``permissions.hidden_content_seen``), for the content page; else NotFound.
    The hidden case costs a query only when the first look-up failed."""
    try:
        return get_visible_content(person, content_id)
    except NotFound:
        rows = Content.objects.filter(pk=int(content_id))
        hidden = (
            permissions.hidden_content_seen(person, rows)
            .select_related("author", "space", "author__department")
            .first()
        )
        if hidden is None:
            raise
        return hidden


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
    """A poll's NPS with its 95 % margin, computed by the insights engine's one definition
    (``insights.nps``: docs/insights.md, "NPS"); ``enough`` once the engine's minimum number
    of answers is reached (below it the margin is meaningless; the page says so)."""
    values = valid_scores([float(s) for s in scores])
    p_plus, p_minus, n = nps_components(values)
    if n == 0:
        return NpsResult(0, 0, 0, 0, None, None, False)
    promoters, detractors = round(p_plus * n), round(p_minus * n)
    return NpsResult(
        n,
        promoters,
        n - promoters - detractors,
        detractors,
        round((p_plus - p_minus) * 100, 1),
        round(nps_margin(p_plus, p_minus, n), 1),
        n >= MIN_NPS_RESPONSES,
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

"""Moderation: does weeding work? Flags per space and week, the median time from a flag to
its decision, what became of the posts held for sensitive data (released or deleted), and
how often watched words were hit.

Read straight from moderation's tables (flags and decisions are not events of the insights
contract), through the read policy's ``reviewable``: a community manager sees the spaces
whose queue they review, an administrator every space they may read, and profiles for the
community-manager accounts. Four queries, whatever the amount of data (the watched-word
hits are moderation's ``WatchedWordHit`` rows, written after commit).
"""

from __future__ import annotations

from datetime import timedelta
from statistics import median
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext as _

from rucher.cockpit.panels.base import MAX_ROWS, How, Panel, Table, day, number, percent
from rucher.insights.periods import Period
from rucher.moderation.models import (
    Decision,
    Flag,
    FlaggedItem,
    ModerationDecision,
    WatchedWordHit,
)
from rucher.people.models import Person
from rucher.spaces import permissions


def _items(viewer: Person, space_id: int | None) -> QuerySet[FlaggedItem]:
    """The review items this viewer may see (of one space when ``space_id``)."""
    items = permissions.reviewable(viewer, FlaggedItem.objects.all())
    return items.filter(space_id=space_id) if space_id is not None else items


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _watched_word_hits(
    viewer: Person, period: Period, space_id: int | None
) -> list[dict[str, Any]]:
    """Watched-word hits per space and week in the period, in the spaces this viewer reviews
    (the hits' own space; the read policy's ``reviewable``). One query."""
    hits = permissions.reviewable(viewer, WatchedWordHit.objects.all()).filter(
        at__gte=period.start, at__lt=period.end
    )
    if space_id is not None:
        hits = hits.filter(space_id=space_id)
    return list(
        hits.annotate(week=TruncWeek("at"))
        .values("week", "space__name")
        .annotate(hits=Count("id"))
        .order_by("-week", "space__name")[:MAX_ROWS]
    )


def moderation_panel(viewer: Person, period: Period, space_id: int | None = None) -> Panel:
    panel = Panel(
        "moderation",
        _("Moderation"),
        _(
            "Whether weeding works in the spaces you moderate: how many flags members raise, "
            "how fast a moderator decides, and what becomes of the posts held for sensitive "
            "data. Nobody is named."
        ),
    )
    items = _items(viewer, space_id).values("pk")
    start, end = period.start, period.end
    weekly = (
        Flag.objects.filter(item__in=items, created_at__gte=start, created_at__lt=end)
        .annotate(week=TruncWeek("created_at"))
        .values("week", "item__space__name")
        .annotate(flags=Count("id"))
        .order_by("-week", "item__space__name")[:MAX_ROWS]
    )
    rows = [
        [
            row["item__space__name"] or _("Profiles and profile posts"),
            day(row["week"]),
            number(row["flags"]),
        ]
        for row in weekly
    ]
    waits = [
        _hours(closed - first)
        for first, closed in FlaggedItem.objects.filter(
            pk__in=items, flag_count__gt=0, closed_at__gte=start, closed_at__lt=end
        ).values_list("first_flagged_at", "closed_at")
        if closed is not None
    ]
    outcomes = dict(
        ModerationDecision.objects.filter(
            item__in=items,
            content__sensitive__action="hold",
            decision__in=(Decision.RESTORE, Decision.DELETE),
            created_at__gte=start,
            created_at__lt=end,
        )
        .values_list("decision")
        .annotate(n=Count("id"))
        .values_list("decision", "n")
    )
    released, deleted = outcomes.get(Decision.RESTORE, 0), outcomes.get(Decision.DELETE, 0)
    decided_held = released + deleted
    word_hits = _watched_word_hits(viewer, period, space_id)
    summary = [
        [_("Flags raised"), number(sum(row["flags"] for row in weekly))],
        [_("Items decided after a flag"), number(len(waits))],
        [
            _("Median time from the first flag to the decision (hours)"),
            number(median(waits) if waits else None),
        ],
        [_("Held posts decided"), number(decided_held)],
        [
            _("Share of held posts released"),
            percent(released / decided_held if decided_held else None),
        ],
        [
            _("Share of held posts deleted"),
            percent(deleted / decided_held if decided_held else None),
        ],
        [_("Watched-word hits"), number(sum(row["hits"] for row in word_hits))],
    ]
    panel.tables = [
        Table("moderation_summary", _("Over the period"), [_("Figure"), _("Value")], summary),
        Table(
            "moderation_flags_weekly",
            _("Flags per space and week"),
            [_("Space"), _("Week of"), _("Flags")],
            rows,
        ),
        Table(
            "moderation_watched_words_weekly",
            _("Watched-word hits per space and week"),
            [_("Space"), _("Week of"), _("Hits")],
            [
                [
                    row["space__name"] or _("Profiles and profile posts"),
                    day(row["week"]),
                    number(row["hits"]),
                ]
                for row in word_hits
            ],
        ),
    ]
    panel.how = [
        How(
            _("Flags per space and week"),
            _(
                "Every flag raised in the period on an item you may review, counted by the "
                "item's space and by the week (starting on Monday) the flag was raised."
            ),
            "",
            _("flags"),
        ),
        How(
            _("Median time from the first flag to the decision"),
            _(
                "For each flagged item decided in the period: the time between its first flag "
                "and the moderator's decision; the median of these times, in hours. Posts held "
                "for sensitive data without a flag are not counted here."
            ),
            "",
            _("items decided after a flag"),
        ),
        How(
            _("Share of held posts released or deleted"),
            _(
                "Among the posts held for sensitive data that a moderator released or deleted "
                "in the period, the share of each; held posts still waiting are not counted."
            ),
            "",
            _("held posts released or deleted"),
        ),
        How(
            _("Watched-word hits"),
            _(
                "Every watched word found in a post or comment that was published, held for "
                "approval, flagged or had the word replaced, in the spaces you may review, by "
                "the week it was written. Texts refused outright are not stored, so they are "
                "not counted."
            ),
            "",
            _("watched-word hits"),
        ),
    ]
    if not rows and not waits and not decided_held and not word_hits:
        panel.notes.append(
            _("Nothing was flagged or held in the spaces you moderate over this period.")
        )
    return panel

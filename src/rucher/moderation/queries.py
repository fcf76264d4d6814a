"""Read paths of moderation: the review queue, an item's decisions, an author's warnings.

Who sees what is the read policy's (``permissions.reviewable``): the items of the spaces one
moderates and reads; profiles and profile posts for community-manager accounts. A queue page
costs four queries whatever its size: the items (with their content, parent, author, space
and profile joined), their open flags, the authors' counts in those spaces, and the earlier
decisions against them there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from rucher import paging
from rucher.conversations.models import Content
from rucher.errors import Forbidden, Invalid, NotFound
from rucher.moderation.models import (
    Decision,
    Flag,
    FlaggedItem,
    ModerationDecision,
    OrganisationRules,
    SpaceRules,
    WatchedWord,
    WatchedWordHit,
)
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Membership
from rucher.text import require

ORDERS = ("newest", "most_flagged")
ITEM_TYPES = ("content", "person")
LIVE = (Content.Status.PUBLISHED, Content.Status.HIDDEN, Content.Status.HELD)


@dataclass(frozen=True)
class ItemRef:
    """An item of the review queue: a content row or a person's profile."""

    type: str
    id: int

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"


def parse_ref(value: object) -> ItemRef:
    """``"content:12"`` or ``"person:5"`` (the web's checkboxes), else Invalid (422)."""
    raw = require(value, _("item"))
    kind, _sep, number = raw.partition(":")
    return item_ref(kind, number)


def item_ref(item_type: object, item_id: object) -> ItemRef:
    if item_type not in ITEM_TYPES:
        raise Invalid(
            _("item type must be one of %(choices)s") % {"choices": ", ".join(ITEM_TYPES)}
        )
    try:
        number = int(str(item_id))
    except (TypeError, ValueError):
        raise Invalid(_("an item id is a whole number")) from None
    if not 0 < number < 2**63:
        raise NotFound(_("item not found"))
    return ItemRef(str(item_type), number)


def content_to_decide(moderator: Person, content_id: int) -> Content:
    """Content this moderator decides on; 404 when they may not know it, 403 when they see
    it but do not moderate its space."""
    rows = Content.objects.filter(pk=content_id).select_related("space", "author")
    found = permissions.moderated_content(moderator, rows).first()
    if found is not None:
        return found
    seen = (
        rows.visible_to(moderator).exists()
        or permissions.hidden_content_seen(moderator, rows).exists()
    )
    if seen:
        raise Forbidden(_("only the moderators of this space decide on its content"))
    raise NotFound(_("content not found"))


@dataclass
class History:
    """The author's record in the item's space (profile posts for a profile or one)."""

    posts: int = 0
    comments: int = 0
    decisions: dict[str, int] = field(default_factory=dict)  # decision -> how many

    def decisions_in_words(self) -> list[tuple[str, int]]:
        return [(str(Decision(d).label), n) for d, n in sorted(self.decisions.items())]


@dataclass
class Entry:
    item: FlaggedItem
    flags: list[Flag]
    history: History

    @property
    def ref(self) -> ItemRef:
        if self.item.content_id is not None:
            return ItemRef("content", self.item.content_id)
        return ItemRef("person", int(self.item.profile_id or 0))


@dataclass
class QueuePage:
    entries: list[Entry]
    next_cursor: str | None


def open_items(person: Any) -> QuerySet[FlaggedItem]:
    """The open items of this person's review queue (a count badge reads it too)."""
    items = FlaggedItem.objects.filter(status=FlaggedItem.Status.OPEN).filter(
        Q(content__isnull=True) | Q(content__status__in=LIVE)
    )
    return permissions.reviewable(person, items)


def _after(order: str, cursor: str) -> Q:
    width = 3 if order == "most_flagged" else 2
    values = paging.decode_cursor(cursor, width)
    try:
        at = datetime.fromisoformat(values[-2])
    except ValueError:
        raise paging.invalid_cursor() from None
    if at.tzinfo is None:
        raise paging.invalid_cursor()
    anchor = values[-1]
    newer = Q(last_flagged_at__lt=at) | Q(last_flagged_at=at, id__lt=anchor)
    if order == "newest":
        return newer
    try:
        count = int(values[0])
    except ValueError:
        raise paging.invalid_cursor() from None
    return Q(flag_count__lt=count) | (Q(flag_count=count) & newer)


def _cursor(order: str, item: FlaggedItem) -> str:
    keys: list[str | int] = [item.last_flagged_at.isoformat(), item.pk]
    if order == "most_flagged":
        keys.insert(0, str(item.flag_count))
    return paging.encode_cursor(keys)


def review_queue(
    person: Any, cursor: str | None = None, limit: Any = None, order: str = "newest"
) -> QueuePage:
    if order not in ORDERS:
        raise Invalid(_("order must be one of %(choices)s") % {"choices": ", ".join(ORDERS)})
    size = paging.page_size(limit)
    items = open_items(person).select_related(
        "content__author",
        "content__space",
        "content__parent__author",
        "profile",
        "author",
        "space",
    )
    if cursor:
        items = items.filter(_after(order, cursor))
    ordering = ["-last_flagged_at", "-id"]
    if order == "most_flagged":
        ordering.insert(0, "-flag_count")
    rows = list(items.order_by(*ordering)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not rows:
        return QueuePage([], None)
    flags: dict[int, list[Flag]] = defaultdict(list)
    for row in (
        Flag.objects.filter(item__in=rows, status=Flag.Status.OPEN)
        .select_related("flagger")
        .order_by("-created_at", "-id")
    ):
        flags[row.item_id].append(row)
    histories = author_histories([(r.author_id, r.space_id) for r in rows])
    entries = [
        Entry(r, flags[r.pk], histories.get((r.author_id, r.space_id), History())) for r in rows
    ]
    return QueuePage(entries, _cursor(order, rows[-1]) if more else None)


def _pairs_filter(pairs: list[tuple[int, int | None]]) -> Q:
    authors = {a for a, _s in pairs}
    spaces = {s for _a, s in pairs if s is not None}
    where = Q(space_id__in=spaces)
    if any(s is None for _a, s in pairs):
        where |= Q(space__isnull=True)
    return Q(author_id__in=authors) & where


def author_histories(pairs: list[tuple[int, int | None]]) -> dict[tuple[int, int | None], History]:
    """Each (author, space)'s posts and comments there and the decisions against them there:
    two grouped queries for the whole page."""
    wanted = set(pairs)
    out: dict[tuple[int, int | None], History] = {pair: History() for pair in wanted}
    if not pairs:
        return out
    counts = (
        Content.objects.filter(_pairs_filter(pairs), status=Content.Status.PUBLISHED)
        .values("author_id", "space_id", "kind")
        .annotate(n=Count("id"))
    )
    for row in counts:
        key = (row["author_id"], row["space_id"])
        if key in wanted:
            if row["kind"] in Content.ROOT_KINDS:
                out[key].posts += row["n"]
            else:
                out[key].comments += row["n"]
    decided = (
        ModerationDecision.objects.filter(_pairs_filter(pairs))
        .exclude(decision=Decision.DISMISS)
        .values("author_id", "space_id", "decision")
        .annotate(n=Count("id"))
    )
    for row in decided:
        key = (row["author_id"], row["space_id"])
        if key in wanted:
            out[key].decisions[row["decision"]] = row["n"]
    return out


def decisions_on(person: Any, item: ItemRef) -> list[ModerationDecision]:
    """The decisions taken on an item, for a moderator of it (404/403 as for deciding)."""
    rows = ModerationDecision.objects.select_related("moderator", "author", "space")
    if item.type == "content":
        content = content_to_decide(person, item.id)
        rows = rows.filter(content_id=content.pk)
    else:
        profile = permissions.get_visible_person(person, item.id)
        if not permissions.moderates_people(person):
            raise Forbidden(_("only community-manager accounts decide on profiles"))
        rows = rows.filter(profile_id=profile.pk, content__isnull=True)
    return list(rows.order_by("-created_at", "-id")[:200])


def why_hidden(content_ids: list[int]) -> dict[int, str]:
    """The reason of the latest "hide" decision of each of these items, for the banner their
    author and moderators see on a hidden item (callers pass only items they may see, and only
    hidden ones: no query when nothing is hidden)."""
    if not content_ids:
        return {}
    reasons: dict[int, str] = {}
    rows = (
        ModerationDecision.objects.filter(content_id__in=content_ids, decision=Decision.HIDE)
        .order_by("content_id", "-created_at", "-id")
        .values_list("content_id", "reason")
    )
    for content_id, reason in rows:
        reasons.setdefault(content_id, reason)
    return reasons


def warnings_for(person: Person) -> list[ModerationDecision]:
    """The warnings this person received (shown to them on their settings page)."""
    return list(
        ModerationDecision.objects.filter(author_id=person.pk, decision=Decision.WARN)
        .select_related("space", "content")
        .order_by("-created_at", "-id")[:50]
    )


def current_suspensions(person: Any) -> list[Membership]:
    """Suspensions still running in the spaces this person reviews (to lift them early)."""
    now = timezone.now()
    return list(
        Membership.objects.filter(
            space_id__in=permissions.reviewed_spaces(person).values("id"),
            suspended_at__isnull=False,
        )
        .filter(Q(suspended_until__isnull=True) | Q(suspended_until__gt=now))
        .select_related("person", "space")
        .order_by("space__name", "person__last_name", "id")[:200]
    )


# --- publishing rules -------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyHits:
    space_id: int | None
    space_name: str  # "" for profile posts
    week: date  # the Monday the week starts on
    hits: int


def watched_word_hits_by_week(viewer: Any, since: datetime | None = None) -> list[WeeklyHits]:
    """Watched-word hits per space and week (published and held texts; refused ones are not
    stored), for the spaces ``viewer`` reviews (``permissions.reviewable``: profile posts
    too for moderators); newest week first. One query. For the cockpit's moderation panel."""
    rows = permissions.reviewable(viewer, WatchedWordHit.objects.all())
    if since is not None:
        rows = rows.filter(at__gte=since)
    weekly = (
        rows.annotate(week=TruncWeek("at"))
        .values("space_id", "space__name", "week")
        .annotate(hits=Count("id"))
        .order_by("-week", "space__name", "space_id")
    )
    return [
        WeeklyHits(
            row["space_id"],
            row["space__name"] or "",
            row["week"].date() if isinstance(row["week"], datetime) else row["week"],
            row["hits"],
        )
        for row in weekly
    ]


def watched_words(space: Any | None) -> QuerySet[WatchedWord]:
    """The organisation's list (``space`` None) or a space's; the caller checked who may read
    it (``actions.require_rules_manager``)."""
    if space is None:
        return WatchedWord.objects.filter(space__isnull=True)
    return WatchedWord.objects.filter(space=space)


def slow_mode_minutes(space: Any) -> int:
    rules = SpaceRules.objects.filter(space=space).values_list("slow_mode_minutes", flat=True)
    return int(rules.first() or 0)


def new_account_rules() -> OrganisationRules:
    return OrganisationRules.objects.filter(pk=1).first() or OrganisationRules(
        new_account_posts=0, new_account_days=7
    )

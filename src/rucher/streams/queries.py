"""Streams: home, space, topic, person and "my questions", read through the permission policy.

One page = one indexed query (items with author, department and space joined), one for topics
and one for the reader's own reactions: a constant number of queries whatever the page size.
Pagination is by cursor on (created_at, id), never OFFSET, so deep pages cost what the
first one does and new posts never shift what the reader sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from rucher import paging
from rucher.conversations.models import Content, Reaction
from rucher.conversations.topics import normalise_topic
from rucher.errors import Invalid
from rucher.people.models import Person
from rucher.spaces.models import Membership
from rucher.streams import rows, scans
from rucher.streams.cache import Built, cached_watched
from rucher.streams.models import Follow, HideRule, Mute, TargetType
from rucher.streams.relevance import Watch

ROOT_KINDS = [k.value for k in Content.ROOT_KINDS]


@dataclass
class StreamFilters:
    kind: str | None = None  # post | question | poll
    topic: str | None = None
    space_id: int | None = None


@dataclass
class Page:
    items: list[Content]
    next_cursor: str | None
    my_reactions: dict[int, str] = field(default_factory=dict)
    # Where the items come from (streams/relevance.py): which writes renew a cached page.
    watch: Watch | None = None


def encode_cursor(item: Content) -> str:
    """The stream cursor after ``item``: its (created_at, id), in ``rucher.paging``'s format."""
    return paging.encode_cursor([item.created_at.isoformat(), item.pk])


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(created_at, id) from a stream cursor; a forged one is ``Invalid`` (a 422)."""
    stamp, anchor = paging.decode_cursor(cursor, 2)
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        raise paging.invalid_cursor() from None
    if at.tzinfo is None:
        raise paging.invalid_cursor()
    return at, anchor


def without_muted(reader: Person, items: QuerySet[Content]) -> QuerySet[Content]:
    """Apply the reader's mutes and [tag] hide rules (as subqueries: no extra round trip).
    Every stream's rows, Essentiel's included (``streams.essential``)."""
    mutes = Mute.objects.filter(person_id=reader.pk)
    muted_topic = Content.topics.through.objects.filter(
        content_id=OuterRef("pk"),
        topic_id__in=mutes.filter(target_type=TargetType.TOPIC).values("target_id"),
    )
    return (
        items.exclude(space_id__in=mutes.filter(target_type=TargetType.SPACE).values("target_id"))
        .exclude(author_id__in=mutes.filter(target_type=TargetType.PERSON).values("target_id"))
        .exclude(Exists(muted_topic))
        .exclude(tag_prefix__in=HideRule.objects.filter(person_id=reader.pk).values("tag"))
    )


def check_kind(filters: StreamFilters | None) -> None:
    if filters is not None and filters.kind and filters.kind not in ROOT_KINDS:
        raise Invalid(_("kind must be one of %(choices)s") % {"choices": ", ".join(ROOT_KINDS)})


def _apply_filters(items: QuerySet[Content], filters: StreamFilters | None) -> QuerySet[Content]:
    if filters is None:
        return items
    check_kind(filters)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.topic:
        items = items.filter(
            Exists(
                Content.topics.through.objects.filter(
                    content_id=OuterRef("pk"), topic__name=normalise_topic(filters.topic)
                )
            )
        )
    if filters.space_id is not None:
        items = items.filter(space_id=filters.space_id)
    return items


def _newest_first(
    items: QuerySet[Content], after: tuple[datetime, int] | None
) -> QuerySet[Content]:
    items = items.order_by("-created_at", "-id")
    if after is not None:
        at, pk = after
        items = items.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
    return items


def _page_rows(items: QuerySet[Content]) -> QuerySet[Content]:
    return items.select_related(
        "author",
        "author__department",
        "space",
        "shared_from",
        "shared_from__author",
        "shared_from__space",
    ).prefetch_related(Prefetch("topics"))


def _page(reader: Person, rows: list[Content], size: int) -> Page:
    """A page from up to ``size + 1`` rows (one more tells that a next page exists)."""
    more = len(rows) > size
    rows = rows[:size]
    mine = (
        dict(
            Reaction.objects.filter(
                person_id=reader.pk, content_id__in=[r.pk for r in rows]
            ).values_list("content_id", "kind")
        )
        if rows
        else {}
    )
    return Page(rows, encode_cursor(rows[-1]) if more and rows else None, mine)


def paginate(
    reader: Person, items: QuerySet[Content], cursor: str | None, limit: Any = None
) -> Page:
    size = paging.page_size(limit)
    after = decode_cursor(cursor) if cursor else None
    return _page(reader, list(_page_rows(_newest_first(items, after))[: size + 1]), size)


def page_of_ids(reader: Person, ids: list[int], size: int) -> Page:
    """A page from the ids a prepared stream query found, newest first (still published: an
    item deleted between the two queries is left out)."""
    published = Content.objects.filter(status=Content.Status.PUBLISHED)
    by_id = _page_rows(published).in_bulk(ids[: size + 1])
    return _page(reader, [by_id[pk] for pk in ids if pk in by_id], size)


def _roots(reader: Person) -> QuerySet[Content]:
    return Content.objects.visible_to(reader).filter(parent__isnull=True, kind__in=ROOT_KINDS)


def home(
    reader: Person,
    cursor: str | None = None,
    limit: Any = None,
    filters: StreamFilters | None = None,
) -> Page:
    """My spaces, and the people and topics I follow (within what I may read); cached until
    a write that may change it (streams/cache.py, streams/relevance.py)."""
    size = paging.page_size(limit)  # the key holds the size served, not "default"

    def build(scope: scans.Scope | None) -> Built[Page]:
        found = home_ids(reader, cursor, size, filters, scope)
        page = with_models(reader, found)
        return Built(page, found.watch, (found, page) if cursor is None else None)

    def renew(kept: tuple[PageIds, Page], since: datetime) -> Built[Page]:
        found = renew_home_ids(reader, kept[0], since, size, filters)
        page = with_models_again(reader, kept[1], found)
        return Built(page, found.watch, (found, page))

    return cached_watched(reader, "home", (cursor, size, filters), build, renew=renew)


def home_items(reader: Any) -> QuerySet[Content]:
    """My spaces, and the people and topics I follow (within what I may read), minus my mutes
    and hidden tags: the home stream's definition as one query. The page itself is read by
    the index-ordered scans (``streams.scans``), which are tested against this; the digests
    read it as is (a handful of people a day)."""
    spaces = Membership.objects.filter(person_id=reader.pk, status=Membership.Status.ACTIVE).values(
        "space_id"
    )
    follows = Follow.objects.filter(follower_id=reader.pk)
    followed_topic = Content.topics.through.objects.filter(
        content_id=OuterRef("pk"),
        topic_id__in=follows.filter(target_type=TargetType.TOPIC).values("target_id"),
    )
    items = _roots(reader).filter(
        Q(space_id__in=spaces)
        | Q(space_id__in=follows.filter(target_type=TargetType.SPACE).values("target_id"))
        | Q(author_id__in=follows.filter(target_type=TargetType.PERSON).values("target_id"))
        | Q(author_id=reader.pk)
        | Exists(followed_topic)
    )
    return without_muted(reader, items)


def _rows_of_page(reader: Person, ids: list[int]) -> tuple[list[Content], dict[int, str]]:
    """The page's rows, read through the permission policy (the one authority: whatever
    found the ids, nothing the reader may not read is shown), with my reaction to each in
    the same statement, in the order of ``ids``."""
    if not ids:
        return [], {}
    by_id = {row.pk: row for row in page_rows_query(reader, ids)}
    shown = [by_id[pk] for pk in ids if pk in by_id]
    mine = {row.pk: getattr(row, "my_reaction", None) for row in shown}
    return shown, {pk: kind for pk, kind in mine.items() if kind}


def page_rows_query(reader: Person, ids: list[int]) -> QuerySet[Content]:
    """The rows of ``ids`` the reader may read, with ``my_reaction``.

    The policy is checked per row, correlated on the primary key: written as
    ``visible_to(reader).filter(id__in=ids)``, SQLite without statistics walks the
    ``content_stream (status, …)`` index (it guesses an equality matches ~10 rows) instead of
    reading 20 rows by id; here the outer query has nothing but the ids to go by, and the
    policy's query has a primary-key equality (tests/streams/test_plans.py)."""
    mine = Reaction.objects.filter(person_id=reader.pk, content_id=OuterRef("pk")).values("kind")
    allowed = Content.objects.visible_to(reader).filter(pk=OuterRef("pk")).order_by()
    return (
        _page_rows(Content.objects.filter(id__in=ids).order_by())
        .filter(Exists(allowed))
        .annotate(my_reaction=Subquery(mine[:1]))
    )


@dataclass
class PageIds:
    """A stream page as found by the scans: its ids, newest first, the cursor after it, and
    where its items come from (streams/relevance.py)."""

    ids: list[int]
    next_cursor: str | None
    watch: Watch
    # (id, created_at, space) of the rows read, the one past the page included: what a new
    # post is merged with (``renew_home_ids``).
    newest: list[tuple[int, datetime, int | None]] = field(default_factory=list)


@dataclass
class RowPage:
    """A stream page as plain values (streams/rows.py): what the API serialises."""

    items: list[rows.StreamRow]
    next_cursor: str | None
    watch: Watch


def ids_from_scans(
    reader: Person,
    found: list[scans.Scan],
    conditions: scans.Rows,
    size: int,
) -> PageIds:
    """A page's ids from index-ordered scans merged by recency (streams/scans.py)."""
    return _page_ids(scans.newest(reader, found, conditions, size + 1), size)


def _page_ids(newest: list[tuple[int, datetime, int | None]], size: int) -> PageIds:
    """A page from up to ``size + 1`` (id, created_at, space) rows, newest first."""
    cursor = None
    if len(newest) > size:
        at, pk = newest[size - 1][1], newest[size - 1][0]
        cursor = paging.encode_cursor([at.isoformat(), pk])
    # The spaces of the rows read (the one past the page too: whether there is a next page):
    # a change to any of them is in one of these spaces (streams/relevance.py).
    read_from = frozenset(space for _pk, _at, space in newest if space is not None)
    ids = [pk for pk, _at, _space in newest[:size]]
    return PageIds(ids, cursor, Watch(read_from, False), newest)


def with_models(reader: Person, found: PageIds) -> Page:
    """The page's items as model instances (the web pages, the feeds)."""
    items, mine = _rows_of_page(reader, found.ids)
    return Page(items, found.next_cursor, mine, watch=found.watch)


def with_rows(reader: Person, found: PageIds) -> RowPage:
    """The page's items as plain values (the API)."""
    return RowPage(rows.read(reader, found.ids), found.next_cursor, found.watch)


def with_models_again(reader: Person, kept: Page, found: PageIds) -> Page:
    """``with_models`` for a renewed page (``renew_home_ids``): only the rows not on the kept
    page are read (through the policy, like every row)."""
    have = {item.pk: item for item in kept.items}
    items, mine = _rows_of_page(reader, [pk for pk in found.ids if pk not in have])
    have.update((item.pk, item) for item in items)
    shown = [have[pk] for pk in found.ids if pk in have]
    reactions = {**kept.my_reactions, **mine}
    return Page(
        shown,
        found.next_cursor,
        {item.pk: reactions[item.pk] for item in shown if item.pk in reactions},
        watch=found.watch,
    )


def with_rows_again(reader: Person, kept: RowPage, found: PageIds) -> RowPage:
    """``with_rows`` for a renewed page: only the rows not on the kept page are read."""
    have = {row.pk: row for row in kept.items}
    have.update(
        (row.pk, row) for row in rows.read(reader, [pk for pk in found.ids if pk not in have])
    )
    return RowPage([have[pk] for pk in found.ids if pk in have], found.next_cursor, found.watch)


def _filter_values(filters: StreamFilters | None) -> tuple[str | None, str | None, int | None]:
    check_kind(filters)
    if filters is None:
        return None, None, None
    topic = normalise_topic(filters.topic) if filters.topic else None
    return filters.kind or None, topic, filters.space_id


def home_ids(
    reader: Person,
    cursor: str | None = None,
    limit: Any = None,
    filters: StreamFilters | None = None,
    scope: scans.Scope | None = None,
) -> PageIds:
    """My spaces, and the people and topics I follow (within what I may read).

    Two statements find the ids: the reader's scope (their readable spaces through the
    policy, follows, mutes and hidden tags), then one index-ordered scan per space, per
    followed person and for the followed topics, merged by recency (streams/scans.py: plans
    that hold with and without statistics). ``scope``: the one a kept page was built from,
    while only content was written since (streams/cache.py): then the second alone.
    """
    size = paging.page_size(limit)
    after = decode_cursor(cursor) if cursor else None
    check_kind(filters)
    if not reader.is_active:
        return PageIds([], None, Watch(frozenset(), beyond=True))
    if scope is None:
        scope = scans.read_scope(reader)
    found, conditions, spaces = _home_scans(scope, filters, after=after)
    page = ids_from_scans(reader, found, conditions, size)
    page.watch = _home_watch(reader, scope, spaces, page.watch.spaces)
    return page


def renew_home_ids(
    reader: Person, kept: PageIds, since: datetime, limit: Any, filters: StreamFilters | None
) -> PageIds:
    """The first home page as it is now, from a kept first page and the roots written at or
    after ``since``, when nothing else was written since it was built (``streams.cache``):
    no row of the page changed, so the page is the newest of its rows (the one past it
    included) and of the roots written since then in the reader's scopes (one walk of the
    root index from ``since``: ``scans.recent_scans``). ``since`` reaches a few
    seconds before the page was read (``cache.NEW_ROOTS_MARGIN_SECONDS``): a post whose
    transaction was still open then is found too, whatever order the commits came in."""
    size = paging.page_size(limit)
    scope = kept.watch.scope
    found, conditions, spaces = _home_scans(scope, filters, since=since)
    known = {pk for pk, _at, _space in kept.newest}
    fresh = [
        row for row in scans.newest(reader, found, conditions, size + 1) if row[0] not in known
    ]
    newest = sorted([*kept.newest, *fresh], key=lambda row: (row[1], row[0]), reverse=True)
    page = _page_ids(newest[: size + 1], size)
    page.watch = _home_watch(reader, scope, spaces, page.watch.spaces | kept.watch.spaces)
    return page


def _home_scans(
    scope: scans.Scope,
    filters: StreamFilters | None,
    *,
    after: tuple[datetime, int] | None = None,
    since: datetime | None = None,
) -> tuple[list[scans.Scan], scans.Rows, list[int]]:
    """The home stream's scans (one per space, per followed person, and the followed
    topics; since a moment: ``scans.recent_scans``), their row conditions, and the spaces
    they read."""
    kind, topic, space_id = _filter_values(filters)
    spaces = scope.spaces
    if space_id is not None:
        spaces = [s for s in spaces if s == space_id]
    if since is not None:
        found = scans.recent_scans(spaces, scope.people, scope.topics)
    else:
        found = (
            scans.space_scans(spaces)
            + scans.author_scans(scope.people)
            + scans.topic_scans(scope.topics)
        )
    conditions = scans.row_conditions(
        kind=kind, after=after, since=since, topic=topic, space_id=space_id, scope=scope
    )
    return found, conditions, spaces


def _home_watch(
    reader: Person, scope: scans.Scope, spaces: list[int], read_from: frozenset[int]
) -> Watch:
    """New items can come from the reader's spaces, from the people and topics they follow
    (any space they may read), and from themselves (their own writes always count); changes
    to items already read, from those items' spaces."""
    followed_people = any(person != reader.pk for person in scope.people)
    return Watch(
        read_from | frozenset(spaces),
        beyond=followed_people or bool(scope.topics),
        scope=scope,
        scope_read_at=scope.read_at,
    )


def build_home(
    reader: Person,
    cursor: str | None = None,
    limit: Any = None,
    filters: StreamFilters | None = None,
) -> Page:
    """The home page's items (``home_ids``) read through the policy with my reactions, then
    their topics."""
    return with_models(reader, home_ids(reader, cursor, limit, filters))


def space_ids(
    reader: Person,
    space_id: int,
    cursor: str | None = None,
    limit: Any = None,
    filters: StreamFilters | None = None,
) -> PageIds:
    """A space's own stream: one scan of the space's root index."""
    size = paging.page_size(limit)
    after = decode_cursor(cursor) if cursor else None
    kind, topic, only = _filter_values(filters)
    if only is not None and only != space_id:
        return PageIds([], None, Watch(frozenset({space_id}), beyond=False))
    conditions = scans.row_conditions(kind=kind, after=after, topic=topic)
    found = [scans.Scan("c.space_id = %s", [space_id], index="content_root_space_stream")]
    return ids_from_scans(reader, found, conditions, size)


def space_stream(
    reader: Person,
    space_id: int,
    cursor: str | None = None,
    limit: Any = None,
    filters: StreamFilters | None = None,
) -> Page:
    return with_models(reader, space_ids(reader, space_id, cursor, limit, filters))


def topic_ids(reader: Person, topic: str, cursor: str | None = None, limit: Any = None) -> PageIds:
    """Everything I may read under a #topic, minus what I muted or hid."""
    size = paging.page_size(limit)
    after = decode_cursor(cursor) if cursor else None
    conditions = scans.row_conditions(after=after, preferences_of=reader.pk)
    found = [scans.topic_name_scan(normalise_topic(topic))]
    return ids_from_scans(reader, found, conditions, size)


def topic_stream(reader: Person, topic: str, cursor: str | None = None, limit: Any = None) -> Page:
    return with_models(reader, topic_ids(reader, topic, cursor, limit))


def person_ids(
    reader: Person, author_id: int, cursor: str | None = None, limit: Any = None
) -> PageIds:
    """What a person posted, among what I may read: one scan of their root index."""
    size = paging.page_size(limit)
    after = decode_cursor(cursor) if cursor else None
    conditions = scans.row_conditions(after=after)
    return ids_from_scans(reader, scans.author_scans([author_id]), conditions, size)


def person_stream(
    reader: Person, author_id: int, cursor: str | None = None, limit: Any = None
) -> Page:
    return with_models(reader, person_ids(reader, author_id, cursor, limit))


def my_question_ids(reader: Person, cursor: str | None = None, limit: Any = None) -> PageIds:
    size = paging.page_size(limit)
    after = decode_cursor(cursor) if cursor else None
    conditions = scans.row_conditions(kind=Content.Kind.QUESTION.value, after=after)
    return ids_from_scans(reader, scans.author_scans([reader.pk]), conditions, size)


def my_questions(reader: Person, cursor: str | None = None, limit: Any = None) -> Page:
    return with_models(reader, my_question_ids(reader, cursor, limit))


def thread(reader: Person, root: Content, *, moderating: bool | None = None) -> list[Content]:
    """The replies under a root, oldest first (the root was already permission-checked).
    The content page passes ``moderating`` (whether the reader moderates the root's space,
    which it knows already): hidden replies are then shown, marked, to their author, and all
    of them to a moderator; without it (the API) hidden replies are left out for everyone."""
    shown = Content.objects.visible_to(reader)
    if moderating:
        # A moderator reviews the whole thread, also under a root they hid or that is held
        # (its published replies are out of everyone else's sight then, not gone).
        hidden = Q(
            status__in=(Content.Status.PUBLISHED, Content.Status.HIDDEN, Content.Status.HELD)
        )
        shown = shown | Content.objects.filter(hidden, root_id=root.pk)
    elif moderating is not None and root.status == Content.Status.PUBLISHED:
        hidden = Q(status__in=(Content.Status.HIDDEN, Content.Status.HELD), author_id=reader.pk)
        shown = shown | Content.objects.filter(hidden, root_id=root.pk)
    return list(
        shown.filter(root_id=root.pk)
        .select_related("author", "quoted", "quoted__author")
        .order_by("created_at", "id")
    )

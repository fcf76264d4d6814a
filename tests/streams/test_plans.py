"""The hot stream queries keep their plan shape with and without planner statistics.

The data is bulk-made (a few thousand roots, comments, many spaces) so that the planner has
a real choice; each query's plan is read (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL
``EXPLAIN``) before and after ``ANALYZE``. What must hold: every per-space or per-author scan
reads its own index in order (no sort of its rows, no walk of the whole table), the rows of a
page are read by primary key, and the scope query never touches the content table.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from rucher.conversations.models import Content
from rucher.spaces.models import Membership
from rucher.streams import queries, relevance, rows, scans
from rucher.streams.queries import StreamFilters

pytestmark = pytest.mark.django_db

SPACES = 30
ROOTS = 3000


@pytest.fixture
def big(world: dict[str, Any], make_person: Any, make_space: Any) -> dict[str, Any]:
    alice, bob = world["alice"], world["bob"]
    spaces = [make_space(alice, f"Espace {i}") for i in range(SPACES)]
    Membership.objects.bulk_create(
        [Membership(person=bob, space=s, status=Membership.Status.ACTIVE) for s in spaces[:3]]
    )
    writers = [make_person(username=f"w{i}") for i in range(20)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    roots = [
        Content(
            kind="post",
            author=writers[i % len(writers)],
            space=spaces[(i * 7) % SPACES],
            text=f"message {i}",
            html=f"<p>message {i}</p>",
            created_at=start + timedelta(minutes=i),
        )
        for i in range(ROOTS)
    ]
    Content.objects.bulk_create(roots, batch_size=500)
    first = Content.objects.order_by("id").first()
    assert first is not None
    comments = [
        Content(
            kind="comment",
            author=writers[i % 3],
            space=spaces[0],
            parent=first,
            root=first,
            text=f"réponse {i}",
            html=f"<p>réponse {i}</p>",
            created_at=start + timedelta(minutes=i, seconds=30),
        )
        for i in range(ROOTS)
    ]
    Content.objects.bulk_create(comments, batch_size=500)
    world.update(spaces=spaces, writers=writers)
    return world


def plan(sql: str, params: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def analyse() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def assert_ordered_index_scan(text: str, index: str) -> None:
    """One scan of ``index`` in the stream's order: no sort, no walk of the table.

    PostgreSQL may instead walk the whole root index newest first and filter on the scope
    when its statistics say the scope holds a large share of the rows (here a space holds
    1/30 of them): also an ordered index scan stopped by the LIMIT, never a sort or a
    sequential scan. SQLite must use the scope's own index."""
    if connection.vendor == "sqlite":
        assert index in text, text
        assert "TEMP B-TREE" not in text, text
        assert not any(line.startswith("SCAN c") for line in text.splitlines()), text
    else:
        assert index in text or "Index Scan Backward using content_root_stream" in text, text
        assert "Limit" in text.splitlines()[0], text
        assert "Sort" not in text, text
        assert "Seq Scan on conversations_content" not in text, text


def hot_queries(world: dict[str, Any]) -> dict[str, tuple[str, list[Any]]]:
    bob = world["bob"]
    scope = scans.read_scope(bob)
    rows = scans.row_conditions(scope=scope)
    after = (datetime(2026, 1, 2, tzinfo=UTC), 10**9)
    paged = scans.row_conditions(scope=scope, after=after, kind="post")
    space = scans.space_scans([world["spaces"][0].pk])[0]
    author = scans.author_scans([world["writers"][0].pk])[0]
    home = scans.merged_sql(bob, scans.space_scans(scope.spaces), rows, 21)
    assert home is not None
    return {
        "space scan": scans.scan_sql(bob, space, rows, 21),
        "space scan, cursor": scans.scan_sql(bob, space, paged, 21),
        "author scan": scans.with_readable(bob, *scans.scan_sql(bob, author, rows, 21)),
        "home (per-space scans)": home,
    }


@pytest.mark.parametrize("statistics", [False, True], ids=["no-statistics", "analyzed"])
def test_stream_scans_read_their_index_in_order(big: dict[str, Any], statistics: bool) -> None:
    if statistics:
        analyse()
    found = hot_queries(big)
    assert_ordered_index_scan(plan(*found["space scan"]), "content_root_space_stream")
    assert_ordered_index_scan(plan(*found["space scan, cursor"]), "content_root_space_stream")
    assert_ordered_index_scan(plan(*found["author scan"]), "content_root_author_stream")
    merged = plan(*found["home (per-space scans)"])
    # Each space's scan on its index; only the merged rows (at most scans × 21) are sorted.
    spaces = len(scans.read_scope(big["bob"]).spaces)
    assert spaces == 4  # the open space and three of the thirty
    assert "Seq Scan on conversations_content" not in merged, merged
    if connection.vendor == "postgresql":
        # PostgreSQL picks per branch from its statistics (an ordered walk, or the space's
        # rows through an index then a sort of those few): each is bounded by its LIMIT or
        # by its space, none reads the table.
        assert merged.count("Limit") >= spaces + 1, merged
        return
    assert merged.count("content_root_space_stream") == spaces, merged
    assert not any(line.startswith("SCAN c") for line in merged.splitlines()), merged


@pytest.mark.parametrize("statistics", [False, True], ids=["no-statistics", "analyzed"])
def test_a_wide_reader_walks_the_root_index_newest_first(
    big: dict[str, Any], statistics: bool
) -> None:
    if statistics:
        analyse()
    bob = big["bob"]
    spaces = [s.pk for s in big["spaces"]]
    (wide,) = scans.space_scans(spaces * 3)  # past WIDE: one scan for them all
    text = plan(*scans.scan_sql(bob, wide, scans.row_conditions(), 21))
    assert_ordered_index_scan(text, "content_root_stream")


@pytest.mark.parametrize("statistics", [False, True], ids=["no-statistics", "analyzed"])
def test_a_renewal_walks_the_root_index_from_the_moment_it_looks_back_to(
    big: dict[str, Any], statistics: bool
) -> None:
    """What was written since a kept page was read (streams/cache.py): one walk of the root
    index from that moment for the reader's spaces, one for the people they follow (and
    themselves), never a walk of the table or of each space's index."""
    if statistics:
        analyse()
    bob = big["bob"]
    scope = scans.read_scope(bob)
    newest = Content.objects.filter(parent__isnull=True).order_by("-created_at")[0].created_at
    since = scans.row_conditions(scope=scope, since=newest - timedelta(minutes=10))
    found = scans.recent_scans(scope.spaces, scope.people, scope.topics)
    assert len(found) == 2
    built = scans.merged_sql(bob, found, since, 21)
    assert built is not None
    text = plan(*built)
    assert "Seq Scan on conversations_content" not in text, text
    if connection.vendor == "sqlite":
        assert text.count("content_root_stream (status=? AND created_at>?)") == 2, text
        assert not any(line.lstrip("|-` ").startswith("SCAN c") for line in text.splitlines())


def _model_rows(reader: Any, ids: list[int]) -> tuple[str, list[Any]]:
    sql, params = queries.page_rows_query(reader, ids).query.sql_with_params()
    return sql, list(params)


@pytest.mark.parametrize("statistics", [False, True], ids=["no-statistics", "analyzed"])
@pytest.mark.parametrize(
    "statement", [_model_rows, rows.statement], ids=["model rows (web)", "plain rows (API)"]
)
def test_page_rows_are_read_by_primary_key(
    big: dict[str, Any], statistics: bool, statement: Any
) -> None:
    if statistics:
        analyse()
    bob = big["bob"]
    ids = list(Content.objects.filter(parent__isnull=True).values_list("id", flat=True)[:20])
    text = plan(*statement(bob, ids))
    if connection.vendor == "sqlite":
        assert "SEARCH conversations_content USING INTEGER PRIMARY KEY" in text, text
        assert "SCAN conversations_content" not in text, text
    else:
        assert "conversations_content_pkey" in text, text
        # The page's own rows are never found by a full scan. The read policy's subquery
        # (alias w0) may be: on this test's 3,000 rows, with statistics, PostgreSQL sometimes
        # hashes the whole visible set once rather than probing it 20 times, the cheaper plan
        # at this size (CI once chose it); at scale it probes (benchmarks/stream_vs_floor.py).
        outer = [line for line in text.splitlines() if "conversations_content w0" not in line]
        assert not any("Seq Scan on conversations_content" in line for line in outer), text


def test_the_scope_query_never_reads_content(big: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # a connection for the capture below
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        scans.read_scope(big["bob"])
    (query,) = captured.captured_queries
    assert "conversations_content" not in query["sql"]


def test_home_pages_hold_on_the_bulk_data(big: dict[str, Any]) -> None:
    """The plans above serve the right pages on this data too (bob: 3 of 30 spaces)."""
    bob = big["bob"]
    for filters in (StreamFilters(), StreamFilters(kind="post")):
        cursor = None
        for _ in range(3):
            page = queries.build_home(bob, cursor, 20, filters)
            items = queries._apply_filters(queries.home_items(bob), filters)
            want = queries.paginate(bob, items, cursor, 20)
            assert [i.pk for i in page.items] == [i.pk for i in want.items]
            assert page.next_cursor == want.next_cursor
            cursor = page.next_cursor


@pytest.mark.parametrize("statistics", [False, True], ids=["no-statistics", "analyzed"])
def test_the_writes_since_a_page_are_a_range_of_the_event_key(
    big: dict[str, Any], statistics: bool
) -> None:
    """Whether a cached page still holds reads the few events since it was built
    (streams/relevance.py): a range of the primary key, never the whole log."""
    from rucher.activity.models import Event

    Event.objects.bulk_create(
        [
            Event(
                actor=big["alice"], verb="posted", object_type="post", object_id=n, space_id=n % 7
            )
            for n in range(3000)
        ]
    )
    if statistics:
        analyse()
    newest = Event.objects.order_by("-id").values_list("id", flat=True)[0]
    since = connection.ops.adapt_datetimefield_value(timezone.now())
    text = plan(relevance.EVENTS_SQL, [since, newest - 5, newest, relevance.MOST_EVENTS_READ + 1])
    if connection.vendor == "sqlite":
        # By the key itself, or by an index whose entries for ``dedupe_key IS NULL`` are in
        # key order (the unique index on dedupe_key, without statistics): a range either way.
        assert "SEARCH activity_event" in text, text
        assert "INTEGER PRIMARY KEY" in text or "rowid>? AND rowid<?" in text, text
        assert "SCAN activity_event" not in text, text
    else:
        assert "Seq Scan" not in text, text


@pytest.mark.parametrize("statistics", [False, True], ids=["no-statistics", "analyzed"])
def test_essentiels_own_last_act_is_one_step_of_the_actor_index(
    big: dict[str, Any], statistics: bool
) -> None:
    """Whether a reader's Essentiel is chosen again (streams/essential.py): their newest
    act, found from the reader's own rows (the ``event_actor`` index), never by reading or
    sorting the log."""
    from rucher.activity.models import Event
    from rucher.streams.essential import own_acts

    # As in an organisation: one reader's acts are a small share of the log (here 3 of 3,000;
    # at a million events, about 100). A frequent actor is found as fast by walking the
    # ``at`` index, which PostgreSQL may then prefer.
    alice, bob = big["alice"], big["bob"]
    Event.objects.bulk_create(
        [
            Event(actor=alice if n % 1000 else bob, verb="posted", object_type="post", object_id=n)
            for n in range(3000)
        ]
    )
    if statistics:
        analyse()
    sql, params = own_acts(bob).values_list("id", flat=True)[:1].query.sql_with_params()
    text = plan(sql, list(params))
    if connection.vendor == "sqlite":
        assert "event_actor" in text, text
        assert "TEMP B-TREE" not in text, text
        assert "SCAN activity_event" not in text, text
    else:
        # Only the reader's own rows are read: down ``event_actor`` in order, or (equal in
        # cost for a rare actor, PostgreSQL's choice varies) their rows by the foreign key's
        # index, then the newest of those few kept. Never the log walked or sorted.
        assert "Seq Scan" not in text, text
        assert "Index Cond: (actor_id = " in text, text
        assert "event_at" not in text, text


@pytest.mark.parametrize("statistics", [False, True], ids=["no-statistics", "analyzed"])
def test_a_conversations_replies_are_read_by_their_roots_index(
    big: dict[str, Any],
    statistics: bool,
) -> None:
    """Essentiel reads the replies of its 300 candidates by their roots (streams/essential.py),
    the ids bound as one value (``rucher.db.lookups.AnyOf``)."""
    from django.db.models import F

    from rucher.db.lookups import AnyOf

    if statistics:
        analyse()
    roots = list(
        Content.objects.filter(root__isnull=True).order_by("-pk").values_list("pk", flat=True)[:300]
    )
    bound = Content.objects.filter(AnyOf(F("root_id"), roots)).order_by().values_list("pk")
    text = plan(*bound.query.sql_with_params())
    if connection.vendor == "sqlite":
        assert "(root_id=?)" in text, text
        assert "SCAN conversations_content" not in text, text
    else:
        # PostgreSQL turns an IN list into ``= ANY(array)``: the plan is the one ``__in``
        # gets, whichever it is for this table's size (a small one may be read whole).
        listed = Content.objects.filter(root_id__in=roots).order_by().values_list("pk")
        assert text == plan(*listed.query.sql_with_params()), text
        assert "root_id = ANY" in text, text


def test_the_scans_are_planned_for_each_readers_values(big: dict[str, Any]) -> None:
    """PostgreSQL would reuse a generic plan for a prepared statement after five runs, made
    without the reader's values; for a prolific author it read all their roots and sorted
    them (streams/scans.py, ``planned_for_these_values``). The scans are never prepared."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite plans every statement with its values")
    bob = big["bob"]
    for _ in range(8):
        queries.build_home(bob)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert prepared, "the connection prepares its repeated statements (settings.py)"
    assert not [sql for sql in prepared if ") merged" in sql], prepared

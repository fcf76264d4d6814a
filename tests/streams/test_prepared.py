"""The home query prepared once per shape answers exactly what the ORM query answers."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from rucher.conversations import actions
from rucher.conversations.models import Content
from rucher.streams import actions as stream_actions
from rucher.streams import prepared, queries
from rucher.streams.queries import StreamFilters, build_home

pytestmark = pytest.mark.django_db


def reference_ids(reader: Any, cursor: str | None, size: int, filters: StreamFilters) -> list[int]:
    """The same page straight from the ORM, rebuilt for this very reader."""
    items = queries._apply_filters(queries.home_items(reader), filters)
    return [item.pk for item in queries.paginate(reader, items, cursor, size).items]


@pytest.fixture
def busy_world(world: dict[str, Any]) -> dict[str, Any]:
    alice, bob, carol, gus = world["alice"], world["bob"], world["carol"], world["gus"]
    spaces = [world[name] for name in ("open", "private", "secret", "partner", "confidential")]
    for i, space in enumerate(itertools.islice(itertools.cycle(spaces), 40)):
        kind = "question" if i % 7 == 0 else "post"
        actions.publish(alice, space, f"#t{i % 3} message {i}", kind=kind)
    actions.publish(carol, None, "Sur mon profil #t1")
    stream_actions.follow(bob, "person", carol.pk)
    stream_actions.follow(gus, "topic", "t2")
    stream_actions.mute(carol, "topic", "t0")
    stream_actions.hide_tag(carol, "[sport]")
    actions.publish(alice, world["secret"], "[Sport] course #t1")
    # Same instant for two items: the cursor must break the tie by id.
    twins = Content.objects.filter(space=world["open"]).order_by("-id")[:2]
    stamp = twins[0].created_at
    Content.objects.filter(pk__in=[t.pk for t in twins]).update(created_at=stamp)
    return world


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "gus", "cm", "admin"])
@pytest.mark.parametrize(
    "filters",
    [
        StreamFilters(),
        StreamFilters(kind="question"),
        StreamFilters(topic="#T1"),
        StreamFilters(space_id=-1),  # replaced by the open space below
        StreamFilters(kind="post", topic="t2"),
    ],
    ids=["none", "kind", "topic", "space", "kind+topic"],
)
def test_prepared_home_pages_equal_the_orm_pages(
    busy_world: dict[str, Any], who: str, filters: StreamFilters
) -> None:
    reader = busy_world[who]
    if filters.space_id == -1:
        filters = StreamFilters(space_id=busy_world["open"].pk)
    for size in (3, 20):
        cursor: str | None = None
        pages = 0
        while True:
            page = build_home(reader, cursor, size, filters)
            assert [i.pk for i in page.items] == reference_ids(reader, cursor, size, filters)
            pages += 1
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert pages >= 1


def test_a_shape_is_prepared_once_and_reused(world: dict[str, Any]) -> None:
    built: list[int] = []
    shapes = prepared.ShapeCache()

    def build() -> Any:
        built.append(1)
        return Content.objects.filter(author_id=prepared.READER).values_list("id", flat=True)

    first = shapes.get("shape", build, {"reader"})
    assert shapes.get("shape", build, {"reader"}) is first and len(built) == 1
    post = actions.publish(world["alice"], world["open"], "Bonjour")
    assert first.rows({"reader": world["alice"].pk}) == [(post.pk,)]
    assert first.rows({"reader": world["bob"].pk}) == []


def test_a_query_that_loses_a_placeholder_refuses_to_prepare(world: dict[str, Any]) -> None:
    # The placeholder never reaches the SQL (the filter uses a real id): running it with
    # another reader's values would silently answer for the wrong person.
    queryset = Content.objects.filter(author_id=world["alice"].pk).values_list("id")
    with pytest.raises(prepared.NotPreparable, match="reader"):
        prepared.prepare(queryset, {"reader"})


def test_an_inactive_reader_gets_an_empty_page(world: dict[str, Any]) -> None:
    actions.publish(world["alice"], world["open"], "Bonjour")
    bob = world["bob"]
    bob.is_active = False
    assert build_home(bob).items == []


def test_the_least_recently_used_shape_goes_when_full(world: dict[str, Any]) -> None:
    built: list[str] = []
    shapes = prepared.ShapeCache(limit=2)

    def builder(name: str) -> Any:
        def build() -> Any:
            built.append(name)
            return Content.objects.filter(author_id=prepared.READER).values_list("id")

        return build

    shapes.get("a", builder("a"), {"reader"})
    shapes.get("b", builder("b"), {"reader"})
    shapes.get("a", builder("a"), {"reader"})  # "a" is now the most recently used
    shapes.get("c", builder("c"), {"reader"})  # evicts "b"
    shapes.get("a", builder("a"), {"reader"})
    assert built == ["a", "b", "c"]
    shapes.get("b", builder("b"), {"reader"})
    assert built == ["a", "b", "c", "b"]


def test_an_item_deleted_between_the_two_queries_is_left_out(world: dict[str, Any]) -> None:
    kept = actions.publish(world["alice"], world["open"], "Reste")
    gone = actions.publish(world["alice"], world["open"], "Parti")
    Content.objects.filter(pk=gone.pk).update(status=Content.Status.DELETED)
    page = queries.page_of_ids(world["bob"], [gone.pk, kept.pk], 20)
    assert [item.pk for item in page.items] == [kept.pk]


@pytest.mark.parametrize(
    "position",
    [
        ["2026-01-01T00:00:00+00:00", 0],
        ["2026-01-01T00:00:00+00:00", -5],
        ["2026-01-01T00:00:00+00:00", 2**70],
        ["2026-01-01T00:00:00+00:00", "x"],
        ["2026-01-01T00:00:00+00:00", True],
        ["2026-01-01T00:00:00", 5],  # no time zone
        ["yesterday", 5],
        [5],
    ],
)
def test_a_forged_cursor_is_refused_not_a_crash(world: dict[str, Any], position: list) -> None:
    from rucher.errors import Invalid
    from rucher.paging import encode_cursor

    cursor = encode_cursor(position)
    with pytest.raises(Invalid):
        build_home(world["bob"], cursor)
    with pytest.raises(Invalid):
        queries.space_stream(world["bob"], world["open"].pk, cursor)


@pytest.mark.parametrize("anchor", ["0", "-5", str(2**70), "x", "5"])
def test_a_cursor_in_another_format_is_refused(world: dict[str, Any], anchor: str) -> None:
    import base64

    from rucher.errors import Invalid

    raw = f"2026-01-01T00:00:00+00:00|{anchor}".encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    with pytest.raises(Invalid):
        build_home(world["bob"], cursor)

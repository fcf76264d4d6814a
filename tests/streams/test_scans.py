"""Every stream page found by the merged index scans (streams/scans.py) is exactly the page
of the permission policy's plain query, for every kind of reader, filter and cursor; and the
scans change nothing about what leaving a space, editing, deleting or reacting does."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest

from rucher.conversations import actions
from rucher.conversations.models import Content
from rucher.errors import Forbidden, NotFound
from rucher.spaces.actions import invite, leave_space
from rucher.spaces.actions import join_space as join
from rucher.streams import actions as stream_actions
from rucher.streams import queries, scans
from rucher.streams.models import Follow
from rucher.streams.queries import Page, StreamFilters

pytestmark = pytest.mark.django_db


def policy_home(reader: Any, cursor: str | None, size: int, filters: StreamFilters) -> Page:
    """The home page straight from the policy's plain expression (no scans)."""
    items = queries._apply_filters(queries.home_items(reader), filters)
    return queries.paginate(reader, items, cursor, size)


def policy_space(reader: Any, space_id: int, cursor: str | None, size: int, f: Any) -> Page:
    items = queries._apply_filters(queries._roots(reader).filter(space_id=space_id), f)
    return queries.paginate(reader, items, cursor, size)


def policy_topic(reader: Any, topic: str, cursor: str | None, size: int) -> Page:
    items = queries._apply_filters(queries._roots(reader), StreamFilters(topic=topic))
    return queries.paginate(reader, queries.without_muted(reader, items), cursor, size)


def policy_person(reader: Any, author_id: int, cursor: str | None, size: int) -> Page:
    return queries.paginate(
        reader, queries._roots(reader).filter(author_id=author_id), cursor, size
    )


def policy_questions(reader: Any, cursor: str | None, size: int) -> Page:
    items = queries._roots(reader).filter(author_id=reader.pk, kind=Content.Kind.QUESTION)
    return queries.paginate(reader, items, cursor, size)


def same_pages(designed: Callable[[str | None], Page], policy: Callable[[str | None], Page]) -> int:
    """Walk both page by page, following the design's cursors; return the pages walked."""
    cursor: str | None = None
    pages = 0
    while True:
        got, want = designed(cursor), policy(cursor)
        assert [i.pk for i in got.items] == [i.pk for i in want.items], f"page {pages}"
        assert got.next_cursor == want.next_cursor, f"cursor of page {pages}"
        assert got.my_reactions == want.my_reactions
        pages += 1
        if got.next_cursor is None:
            return pages
        cursor = got.next_cursor


@pytest.fixture
def org(
    world: dict[str, Any],
    make_person: Callable[..., Any],
    make_space: Callable[..., Any],
) -> dict[str, Any]:
    """``world`` grown: 8 more open spaces, a member of one space, a member of every space,
    someone who follows many people and topics, someone with many mutes and hidden tags;
    ~120 roots across spaces and profiles, comments, replies, ties on created_at."""
    alice = world["alice"]
    solo = make_person(username="solo")
    everywhere = make_person(username="everywhere")
    follower = make_person(username="follower")
    muter = make_person(username="muter")
    writers = [make_person(username=f"writer{i}") for i in range(5)]
    extra = [make_space(alice, f"Espace {i}", members=(everywhere, *writers)) for i in range(8)]
    solo_space = make_space(alice, "Solo", members=(solo,))
    for i in range(6):
        actions.publish(alice, solo_space, f"Pour solo {i} #t{i % 2}")
    for name in ("private", "secret", "confidential"):
        invite(alice, world[name], everywhere)
        join(everywhere, world[name])
    join(everywhere, world["open"])
    join(muter, world["open"])
    for space in extra[:3]:
        join(muter, space)
    all_spaces = [world[n] for n in ("open", "private", "secret", "partner", "confidential")]
    all_spaces += extra
    authors = [alice, *writers]
    posted: list[Content] = []
    for i, space in enumerate(itertools.islice(itertools.cycle(all_spaces), 80)):
        author = authors[i % len(authors)]
        if space not in extra:  # the writers belong to the extra spaces only
            author = alice
        kind = ("post", "post", "question", "poll")[i % 4] if i % 9 else "question"
        text = f"#t{i % 4} message {i}" + (" [sport]" if i % 11 == 0 else "")
        if i % 13 == 0:
            text = f"[Sport] course {i} #t{i % 4}"
        if kind == "poll":
            item = actions.create_poll(author, space, text, ["oui", "non"])
        else:
            item = actions.publish(author, space, text, kind=kind)
        posted.append(item)
        if i % 5 == 0:
            actions.reply(alice, item, f"réponse {i} #t1")
    for i, writer in enumerate(writers):
        posted.append(actions.publish(writer, None, f"Sur mon profil {i} #t{i % 4}"))
    # Ties: several items at the very same instant, the cursor breaks them by id.
    stamp = posted[40].created_at
    Content.objects.filter(pk__in=[p.pk for p in posted[40:46]]).update(created_at=stamp)
    # Spread the rest in time, out of id order for a few.
    for n, item in enumerate(posted[50:60]):
        Content.objects.filter(pk=item.pk).update(created_at=stamp - timedelta(minutes=n))
    for writer in writers:
        stream_actions.follow(follower, "person", writer.pk)
    stream_actions.follow(follower, "person", world["carol"].pk)
    for topic in ("t1", "t2", "t3"):
        stream_actions.follow(follower, "topic", topic)
    stream_actions.follow(follower, "space", extra[0].pk)
    stream_actions.follow(follower, "space", world["private"].pk)  # unreadable: no effect
    # A follow left from when they could read it (it no longer gives anything).
    Follow.objects.create(follower=follower, target_type="space", target_id=world["secret"].pk)
    stream_actions.mute(muter, "person", writers[0].pk)
    stream_actions.mute(muter, "person", writers[1].pk)
    stream_actions.mute(muter, "topic", "t0")
    stream_actions.mute(muter, "space", extra[1].pk)
    stream_actions.hide_tag(muter, "[sport]")
    stream_actions.follow(muter, "person", writers[0].pk)  # followed and muted: muted wins
    stream_actions.follow(muter, "topic", "t2")
    stream_actions.mute(follower, "topic", "t3")
    for item in posted[::4]:
        for reader in (world["bob"], follower, everywhere):
            with contextlib.suppress(Forbidden, NotFound):  # not theirs to react to
                actions.react(reader, item, "like")
    world.update(
        solo=solo,
        everywhere=everywhere,
        follower=follower,
        muter=muter,
        writers=writers,
        extra=extra,
        posted=posted,
    )
    return world


READERS = ["solo", "everywhere", "gus", "follower", "muter", "bob", "carol", "cm", "admin"]
FILTERS = {
    "none": StreamFilters(),
    "question": StreamFilters(kind="question"),
    "poll": StreamFilters(kind="poll"),
    "topic": StreamFilters(topic="#T1"),
    "space": StreamFilters(space_id=-1),
    "kind+topic": StreamFilters(kind="post", topic="t2"),
}


@pytest.mark.parametrize("who", READERS)
def test_home_pages_are_the_policy_pages(
    org: dict[str, Any], who: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = org[who]
    for wide in (scans.WIDE, 1):  # per-scope scans, then one scan of the root index
        monkeypatch.setattr(scans, "WIDE", wide)
        walked = 0
        for name, filters in FILTERS.items():
            if name == "space":
                filters = StreamFilters(space_id=org["extra"][0].pk)
            for size in (4, 20):
                walked += same_pages(
                    partial(queries.build_home, reader, limit=size, filters=filters),
                    partial(policy_home, reader, size=size, filters=filters),
                )
        if who in ("cm", "admin"):  # members of nothing, following nothing, no posts
            assert walked == len(FILTERS) * 2
        else:
            assert walked > len(FILTERS) * 2  # some filters had more than one page


@pytest.mark.parametrize("who", READERS)
def test_the_other_streams_are_the_policy_pages(org: dict[str, Any], who: str) -> None:
    reader = org[who]
    spaces = [org[n] for n in ("open", "private", "secret", "partner", "confidential")]
    for space in [*spaces, org["extra"][2]]:
        for filters in (None, StreamFilters(kind="question"), StreamFilters(topic="t1")):
            same_pages(
                partial(queries.space_stream, reader, space.pk, limit=5, filters=filters),
                partial(policy_space, reader, space.pk, size=5, f=filters),
            )
    for topic in ("t0", "#T1", "t3", "nothing"):
        same_pages(
            partial(queries.topic_stream, reader, topic, limit=6),
            partial(policy_topic, reader, topic, size=6),
        )
    for author in [org["alice"], org["writers"][0], org["writers"][3], reader]:
        same_pages(
            partial(queries.person_stream, reader, author.pk, limit=7),
            partial(policy_person, reader, author.pk, size=7),
        )
    same_pages(
        partial(queries.my_questions, org["alice"], limit=4),
        partial(policy_questions, org["alice"], size=4),
    )


def test_the_readers_cover_every_kind_of_account(org: dict[str, Any]) -> None:
    """The fixture does hold what the comparisons claim to cover."""
    assert len(scans.read_scope(org["solo"]).spaces) == 1
    everywhere = scans.read_scope(org["everywhere"])
    assert len(everywhere.spaces) == 12  # all but the partner space
    assert org["gus"].is_guest and scans.read_scope(org["gus"]).spaces == [org["partner"].pk]
    follower = scans.read_scope(org["follower"])
    assert len(follower.people) == 7 and len(follower.topics) == 2
    muter = scans.read_scope(org["muter"])
    assert len(muter.muted_people) == 2 and muter.hidden_tags == ["sport"]
    assert org["writers"][0].pk not in muter.people


def test_leaving_a_space_hides_its_items_at_once(org: dict[str, Any]) -> None:
    solo = org["solo"]
    mine = queries.home(solo).items
    assert mine and {i.space.name for i in mine if i.space} == {"Solo"}
    solo_space = mine[0].space
    assert solo_space is not None
    leave_space(solo, solo_space)
    assert [i for i in queries.home(solo).items if i.space_id == solo_space.pk] == []


def test_edits_deletions_and_reactions_show_on_the_next_read(org: dict[str, Any]) -> None:
    bob, alice = org["bob"], org["alice"]
    post = actions.publish(alice, org["open"], "Avant")
    assert queries.home(bob).items[0].pk == post.pk
    actions.edit(alice, post, "Après")
    assert queries.home(bob).items[0].text == "Après"
    actions.react(bob, post, "celebrate")
    again = queries.home(bob)
    assert again.my_reactions[post.pk] == "celebrate"
    assert again.items[0].reaction_count == 1
    actions.delete(alice, post)
    assert post.pk not in [i.pk for i in queries.home(bob).items]

"""Publishing costs a fixed number of SQL statements, whatever the number of mentions.

The issue's goal: at most 6 SQL statements (plus one per attachment, a separate action)
whatever the number of mentions. Reached: the author's membership and every mentioned person
(with "may the author see them" and "may they read the space", from the read policy) are ONE
query (``conversations.actions.common.audience``); topics are one upsert returning their ids
and one link insert; mentions are one insert; the ``posted`` and ``mentioned`` events one
insert (``activity.actions.record_together``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.people.models import Person

pytestmark = pytest.mark.django_db

# Publishing a post with a #topic and at least one @mention, in a space:
#   0. SELECT the current charter version with an EXISTS of the author's acceptance (the
#      charter gate, rucher.charter.gate; none when it passed earlier in the request)
#   1. SELECT the author (membership of the space LEFT JOINed) and the mentioned people
#      (EXISTS visible to the author, EXISTS reads the space)
#   2. INSERT the content
#   3. INSERT the topics ON CONFLICT DO UPDATE … RETURNING id (new and existing alike)
#   4. INSERT the content-topic links
#   5. INSERT the mentions (every mentioned reader at once)
#   6. INSERT the events: ``posted`` and one ``mentioned`` per person, in one statement
# Without a mention, statement 5 is not needed: 6 statements.
PUBLISH_STATEMENTS = 7
# ``transaction.atomic`` inside the test's own transaction adds SAVEPOINT and RELEASE (in
# production, the BEGIN and COMMIT of the action's transaction).
SAVEPOINTS = 2


def _statements(publish: Any) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        publish()
    sql = [q["sql"] for q in captured.captured_queries]
    savepoints = [s for s in sql if "SAVEPOINT" in s.upper()]
    return len(sql) - len(savepoints), len(savepoints)


@pytest.mark.parametrize("mentions", [1, 5])
def test_publish_costs_the_same_with_one_or_five_mentions(
    world: dict[str, Any], make_person: Any, mentions: int
) -> None:
    alice, space = world["alice"], world["open"]
    people = [make_person(username=f"m{n}") for n in range(5)]
    text = "Bonjour #rh " + " ".join(f"@m{n}" for n in range(mentions))
    statements, savepoints = _statements(lambda: actions.publish(alice, space, text))
    assert (statements, savepoints) == (PUBLISH_STATEMENTS, SAVEPOINTS)
    post = actions.publish(alice, space, text)
    assert set(post.mentions.all()) == set(people[:mentions])
    assert Event.objects.filter(verb="mentioned", object_id=post.pk).count() == mentions


def test_publish_without_a_mention_saves_the_mention_insert(world: dict[str, Any]) -> None:
    alice, space = world["alice"], world["open"]
    statements, _savepoints = _statements(lambda: actions.publish(alice, space, "Bonjour #rh"))
    assert statements == PUBLISH_STATEMENTS - 1


def test_mentioning_people_who_cannot_read_costs_nothing_more_and_reaches_no_one(
    world: dict[str, Any], make_person: Any
) -> None:
    """In the private space, bob (an employee outside it) and gus (a guest he cannot see)
    are mentioned beside carol, a member: only carol is recorded, in the same statements."""
    alice, carol = world["alice"], world["carol"]
    text = "Réunion #rh @carol @bob @gus @nobody"
    statements, _savepoints = _statements(lambda: actions.publish(alice, world["private"], text))
    assert statements == PUBLISH_STATEMENTS
    post = actions.publish(alice, world["private"], text)
    assert list(post.mentions.all()) == [carol]
    targets = Event.objects.filter(verb="mentioned", object_id=post.pk).values_list(
        "target_id", flat=True
    )
    assert list(targets) == [carol.pk]
    assert "/people/@bob/" in post.html  # alice may see bob: a link, but no notification
    assert "/people/@nobody/" not in post.html


def test_replying_with_mentions_costs_the_same_whatever_their_number(
    world: dict[str, Any], make_person: Any
) -> None:
    alice, bob = world["alice"], world["bob"]
    for n in range(5):
        make_person(username=f"m{n}")
    post = actions.publish(alice, world["open"], "Question")
    counts = {}
    for k in (1, 5):
        # A new person object each time, as each request has: the charter gate asks once.
        author = Person.objects.get(pk=bob.pk)
        text = "#rh " + " ".join(f"@m{n}" for n in range(k))
        counts[k] = _statements(lambda a=author, t=text: actions.reply(a, post, t))[0]
    assert counts[1] == counts[5]

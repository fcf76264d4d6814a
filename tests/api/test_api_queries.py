"""Every API list endpoint, and a post's detail, costs a fixed number of SQL queries whatever
the amount of content (measured small, then after the organisation grew; then pinned)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rucher.people.actions.tokens import create_token

pytestmark = pytest.mark.django_db

# Each count starts with the token check (one statement, with the stream write generation).
# endpoint: (url, queries after a write, queries when nothing was written since: only the home
# stream is cached until the next write)
PINNED = {
    # token, the space, "may read it", the ids (one index-ordered scan, streams/scans.py), the
    # rows through the policy with my reactions, topics, the "viewed" event
    "space_stream": ("/api/v1/spaces/{open}/stream", 7, 7),
    # token, the post, its replies, my reactions, the "viewed" event, topics
    "post": ("/api/v1/posts/{root}", 6, 6),
    # token, the page of people, their skills, their expertise, their privacy settings
    "people": ("/api/v1/people", 5, 5),
    # token, the page of spaces
    "spaces": ("/api/v1/spaces", 2, 2),
    # token, the space, "may read it", the page of members, their skills, their expertise,
    # their privacy settings
    "members": ("/api/v1/spaces/{open}/members", 7, 7),
    # token, the writes since the cached page was built (one of them in the reader's space:
    # streams/relevance.py), the reader's scope, the ids (scans merged by recency), the rows
    # with my reactions, topics; warm: the token alone
    "home": ("/api/v1/streams/home", 6, 1),
    # token, the ids, the rows with my reactions, topics
    "topic": ("/api/v1/streams/topics/t1", 4, 4),
    # token, the person, the ids, the rows with my reactions, topics
    "person": ("/api/v1/streams/people/{alice}", 5, 5),
    # token, the ids, the rows with my reactions, topics
    "my_questions": ("/api/v1/streams/my-questions", 4, 4),
    # Essentiel, chosen again since bob asked a question at each growth (his own act): token,
    # the writes since, his newest act; the choice: his readable spaces, the scans, the
    # candidates' rows, his follows, his acts, the items they touched and their topics, his
    # memberships, the sentence vectors, the candidates' topics, replies, reactions and his
    # mentions; then the pins of his spaces, the rows with his reactions, topics. Warm: the
    # token alone (the serialised body is kept)
    "essentiel": ("/api/v1/streams/essentiel", 19, 1),
}


def count(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(captured), [q["sql"][:200] for q in captured.captured_queries]


@pytest.mark.parametrize("endpoint", sorted(PINNED))
def test_api_reads_cost_a_fixed_number_of_queries(
    world: dict[str, Any], grow: Callable[..., Any], endpoint: str
) -> None:
    template, pinned, warm = PINNED[endpoint]
    _, raw = create_token(world["bob"])
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    def url() -> str:
        return template.format(
            open=world["open"].pk, root=world["root"].pk, alice=world["alice"].pk
        )

    grow(2)
    client.get(url())  # marks the token used and writes the day's "viewed" event
    grow(1)  # a write: the home stream's cached page is stale
    small, _sql = count(client, url())
    grow(10)
    large, sql = count(client, url())
    assert small == large, sql
    assert large == pinned, sql
    again, sql = count(client, url())
    assert again == warm, sql


def test_a_post_renews_the_api_home_page_without_reading_the_scope_again(
    world: dict[str, Any], grow: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a post by someone else in one of my spaces (content only: no one's spaces,
    follows or mutes changed), the page is built from the scope it was built from before:
    token, the writes since, the ids, the rows with my reactions, topics; and since nothing
    but a new root was written, only the new root's row is read (streams/cache.py)."""
    from rucher.conversations import actions
    from rucher.streams import relevance

    # On PostgreSQL the writes of the seconds before a page was built are judged again
    # (relevance.lookback): here, grow's memberships, which would rightly renew the scope.
    monkeypatch.setattr(relevance, "PG_LOOKBACK_SECONDS", 0)
    _, raw = create_token(world["bob"])
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    grow(3)
    client.get("/api/v1/streams/home")
    client.get("/api/v1/streams/home")
    from rucher.streams import rows

    read: list[list[int]] = []
    real = rows.read
    monkeypatch.setattr(
        rows, "read", lambda reader, ids: read.append(list(ids)) or real(reader, ids)
    )
    post = actions.publish(world["alice"], world["open"], "Nouvelle publication")
    after_post, sql = count(client, "/api/v1/streams/home")
    assert after_post == 5, sql
    assert not any(statement.startswith("SELECT 's', s.id") for statement in sql)
    # Nothing but a new root since the page was built: only its row is read.
    assert read == [[post.pk]]

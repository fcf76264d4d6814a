"""A long thread opens on its newest replies, the earlier ones behind a link (issue 16: a
hundred replies rendered whole cost ~60 ms of server time); every link to an earlier reply
still lands on it. The limits are lowered here so the threads stay small."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

THREAD_PAGE = 14  # as pinned in test_page_queries.py: shortening a thread adds no query


@pytest.fixture
def short_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    from rucher.web import views_content

    monkeypatch.setattr(views_content, "LONG_THREAD", 4)
    monkeypatch.setattr(views_content, "RECENT_REPLIES", 3)


def replies_on(body: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="card reply[^"]*" id="c(\d+)"', body)]


def long_thread(world: dict[str, Any], n: int, kind: str = "post") -> tuple[Any, list[Any]]:
    from rucher.conversations import actions

    root = actions.publish(world["alice"], world["open"], "Un long fil", kind=kind)
    replies = [
        actions.reply(world["bob" if i % 2 else "alice"], root, f"réponse {i}") for i in range(n)
    ]
    return root, replies


def test_a_long_thread_shows_its_newest_replies_and_a_link_to_the_earlier_ones(
    world: dict[str, Any], client_for: Callable[[Any], Client], short_limits: None
) -> None:
    root, replies = long_thread(world, 6)
    client = client_for(world["bob"])
    body = client.get(f"/posts/{root.pk}/").content.decode()
    assert replies_on(body) == [r.pk for r in replies[-3:]]
    assert "Commentaires (6)" in body  # the whole thread's count, not the shown ones'
    assert 'href="?replies=all#replies" data-earlier-replies>' in body
    assert "Afficher les 3 réponses précédentes" in body
    everything = client.get(f"/posts/{root.pk}/?replies=all").content.decode()
    assert replies_on(everything) == [r.pk for r in replies]
    assert "data-earlier-replies" not in everything


def test_a_thread_at_the_limit_is_shown_whole(
    world: dict[str, Any], client_for: Callable[[Any], Client], short_limits: None
) -> None:
    root, replies = long_thread(world, 4)
    body = client_for(world["bob"]).get(f"/posts/{root.pk}/").content.decode()
    assert replies_on(body) == [r.pk for r in replies]
    assert "data-earlier-replies" not in body


def test_the_address_of_an_earlier_reply_opens_the_whole_thread_on_it(
    world: dict[str, Any], client_for: Callable[[Any], Client], short_limits: None
) -> None:
    root, replies = long_thread(world, 6)
    client = client_for(world["bob"])
    answer = client.get(f"/posts/{replies[0].pk}/")
    assert answer.status_code == 302
    assert answer.url == f"/posts/{root.pk}/?replies=all#c{replies[0].pk}"
    assert f'id="c{replies[0].pk}"' in client.get(answer.url).content.decode()
    # A short thread keeps the plain address.
    short, few = long_thread(world, 2)
    assert client.get(f"/posts/{few[0].pk}/").url == f"/posts/{short.pk}/#c{few[0].pk}"


def test_an_accepted_answer_stays_on_top_whatever_its_age(
    world: dict[str, Any], client_for: Callable[[Any], Client], short_limits: None
) -> None:
    from rucher.conversations import actions

    root, answers = long_thread(world, 6, kind="question")
    actions.accept_answer(world["alice"], answers[0])
    body = client_for(world["bob"]).get(f"/posts/{root.pk}/").content.decode()
    assert replies_on(body) == [answers[0].pk] + [a.pk for a in answers[-3:]]
    assert "Afficher les 2 réponses précédentes" in body


def test_a_long_thread_costs_the_same_queries_shortened_or_whole(
    world: dict[str, Any], client_for: Callable[[Any], Client], short_limits: None
) -> None:
    root, _replies = long_thread(world, 6)
    client = client_for(world["bob"])
    client.get(f"/posts/{root.pk}/")  # the first read of the day writes its "viewed" event
    for url in (f"/posts/{root.pk}/", f"/posts/{root.pk}/?replies=all"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert len(captured) == THREAD_PAGE, [q["sql"][:200] for q in captured.captured_queries]

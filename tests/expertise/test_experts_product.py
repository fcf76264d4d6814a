"""Who knows about X? The API, the page, the stored model, secret content and bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rucher.conversations import actions
from rucher.expertise.finder import find_experts
from rucher.expertise.models import ExpertModel
from rucher.expertise.training import retrain_if_due, train_now
from rucher.people.actions.tokens import create_token

pytestmark = pytest.mark.django_db


def api(person: Any) -> Client:
    _, raw = create_token(person)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def question_answered(asker: Any, expert: Any, space: Any, subject: str) -> Any:
    question = actions.publish(asker, space, f"Comment faire {subject} ?", kind="question")
    answer = actions.reply(expert, question, f"Pour {subject}, voici la méthode.")
    actions.accept_answer(asker, answer)
    return answer


@pytest.fixture
def experts_world(world: dict[str, Any], make_person: Callable[..., Any]) -> dict[str, Any]:
    """dave answers about kubernetes in the open space (accepted); carol only in the secret
    space (accepted, and liked by alice)."""
    from rucher.spaces.actions import join_space

    dave = make_person(username="dave", job_title="SRE")
    join_space(dave, world["open"])
    open_answer = question_answered(world["alice"], dave, world["open"], "kubernetes")
    secret_answer = question_answered(world["alice"], world["carol"], world["secret"], "kubernetes")
    actions.react(world["alice"], secret_answer, "like")
    return {**world, "dave": dave, "open_answer": open_answer, "secret_answer": secret_answer}


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [item["username"] for item in response.json()["items"]]


def test_experts_with_their_evidence(experts_world: dict[str, Any]) -> None:
    w = experts_world
    answer = api(w["bob"]).get("/api/v1/experts?q=kubernetes")
    assert names(answer) == ["dave"]
    (dave,) = answer.json()["items"]
    (evidence,) = dave["evidence"]
    assert evidence["content_id"] == w["open_answer"].pk
    assert evidence["title"] == "Comment faire kubernetes ?"
    assert evidence["url"] == f"/posts/{w['open_answer'].root_id}/#c{w['open_answer'].pk}"
    assert evidence["why"] == "accepted answer"
    assert dave["score_parts"]["accepted"] > 0


def test_a_secret_space_neither_shows_nor_moves_a_score(
    experts_world: dict[str, Any], make_person: Callable[..., Any]
) -> None:
    w = experts_world
    # carol's secret answer: alice (a member) sees carol; bob does not.
    assert set(names(api(w["alice"]).get("/api/v1/experts?q=kubernetes"))) == {"dave", "carol"}
    before = api(w["bob"]).get("/api/v1/experts?q=kubernetes").json()["items"]
    # More secret knowledge (a second accepted answer, reactions) changes nothing for bob.
    more = question_answered(w["alice"], w["carol"], w["secret"], "kubernetes en prod")
    actions.react(w["alice"], more, "like")
    actions.publish(w["carol"], w["secret"], "kubernetes kubernetes kubernetes")
    after = api(w["bob"]).get("/api/v1/experts?q=kubernetes").json()["items"]
    assert after == before


def test_a_partner_guest_sees_only_people_of_their_spaces(experts_world: dict[str, Any]) -> None:
    w = experts_world
    assert names(api(w["gus"]).get("/api/v1/experts?q=kubernetes")) == []
    actions.publish(w["alice"], w["partner"], "Notre savoir-faire kubernetes")
    assert names(api(w["gus"]).get("/api/v1/experts?q=kubernetes")) == ["alice"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/api/v1/experts", "q: write what you are looking for"),
        ("/api/v1/experts?q=+++", "q: write what you are looking for"),
        (f"/api/v1/experts?q={'x' * 501}", "q: the question is too long (at most 500 characters)"),
        ("/api/v1/experts?q=a&limit=0", "limit: from 1 to 20"),
        ("/api/v1/experts?q=a&limit=x", None),
    ],
)
def test_bad_input_is_a_422_with_a_reason(
    experts_world: dict[str, Any], url: str, reason: str | None, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    answer = api(experts_world["bob"]).get(url)
    assert answer.status_code == 422
    if reason:
        assert answer.json() == {"detail": reason}


@pytest.mark.parametrize("query", ['kubernetes AND ("prod', "🐝 🐝", "مرحبا", "容器编排", "xyzzy"])
def test_odd_queries_answer_an_empty_or_sensible_list(
    experts_world: dict[str, Any], query: str
) -> None:
    answer = api(experts_world["bob"]).get("/api/v1/experts", {"q": query})
    assert answer.status_code == 200
    if "kubernetes" not in query:
        assert answer.json()["items"] == []
        assert answer.json()["message"]


def test_a_viewer_with_no_visible_content_gets_an_empty_list(
    make_person: Callable[..., Any],
) -> None:
    lonely = make_person("partner", username="lonely")
    answer = api(lonely).get("/api/v1/experts?q=kubernetes")
    assert answer.status_code == 200
    assert answer.json()["items"] == []


def test_the_api_costs_a_fixed_number_of_queries(
    experts_world: dict[str, Any], grow: Callable[[int], Any]
) -> None:
    client = api(experts_world["bob"])
    grow(1)
    client.get("/api/v1/experts?q=kubernetes")  # the token is marked used once
    grow(1)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/experts?q=message+kubernetes").status_code == 200
        return len(captured)

    small = count()
    small_warm = count()
    grow(5)
    question_answered(experts_world["alice"], experts_world["dave"], experts_world["open"], "helm")
    large = count()
    large_warm = count()
    # token, readable spaces, write generation, visible content, its events, visible people,
    # the stored model, the profiles, the evidence's live check; then (no write since) the
    # index is kept: no content read
    assert small == large == 9
    assert small_warm == large_warm == 6


def test_the_page_in_both_languages(experts_world: dict[str, Any], client_for: Any) -> None:
    client = client_for(experts_world["bob"])
    french = client.get("/experts/?q=kubernetes", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 200
    page = french.content.decode()
    assert "Qui sait ?" in page and "Dave" in page and "Réponse acceptée" in page
    assert 'href="/experts/"' in page  # in the navigation
    english = client_for(experts_world["bob"])
    english.cookies["django_language"] = "en"
    page = english.get("/experts/?q=kubernetes").content.decode()
    assert "Who knows?" in page and "Accepted answer" in page
    empty = client.get("/experts/?q=")
    assert empty.status_code == 422 and "Écrivez ce que vous cherchez." in empty.content.decode()
    assert client.get("/experts/").status_code == 200


def test_the_page_costs_a_fixed_number_of_queries(
    experts_world: dict[str, Any], grow: Callable[[int], Any], client_for: Any
) -> None:
    client = client_for(experts_world["bob"])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/experts/?q=message+kubernetes").status_code == 200
        return len(captured)

    grow(1)
    small = count()
    grow(4)
    assert count() == small
    assert count() == small - 3  # warm: the audience's index is kept until the next write


def test_the_worker_trains_and_stores_the_model(
    experts_world: dict[str, Any], settings: Any
) -> None:
    retrain_if_due(None)  # the first accepted answer of a new organisation: a first model
    assert ExpertModel.objects.count() == 1
    row = train_now()
    assert row.learned is False  # two answered questions: the young-network fallback
    assert row.n_questions == 0  # neither expert had done anything before being asked
    assert find_experts(experts_world["bob"], "kubernetes").model.learned is False
    settings.RUCHER_EXPERTS_RETRAIN_AFTER = 1
    retrain_if_due(None)
    assert ExpertModel.objects.count() == 2  # nothing new accepted
    question_answered(experts_world["bob"], experts_world["dave"], experts_world["open"], "helm")
    retrain_if_due(None)
    assert ExpertModel.objects.count() == 3


def test_after_a_write_the_previous_index_answers_and_drops_what_is_gone(
    experts_world: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a stale window, a write does not make the next search wait for a rebuild: the
    previous index answers (a rebuild is started beside it), and evidence deleted since is
    dropped by the live check rather than shown."""
    from rucher.expertise import finder

    settings.RUCHER_EXPERTS_STALE_SECONDS = 600
    started: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        finder, "_rebuild_in_background", lambda key, viewer, generation: started.append(key)
    )
    w = experts_world
    assert [e.person.username for e in find_experts(w["bob"], "kubernetes").experts] == ["dave"]
    actions.delete(w["dave"], w["open_answer"])
    build = finder._build

    def no_rebuild_here(*args: Any) -> Any:
        raise AssertionError("the request waited for a rebuild")

    monkeypatch.setattr(finder, "_build", no_rebuild_here)
    answer = find_experts(w["bob"], "kubernetes")
    assert started, "a rebuild was started beside the answer"
    # The previous index answered; dave's only evidence is deleted, so dave is not shown.
    assert answer.experts == []
    # With the window closed (0), the next answer rebuilds first.
    monkeypatch.setattr(finder, "_build", build)
    settings.RUCHER_EXPERTS_STALE_SECONDS = 0
    assert find_experts(w["bob"], "kubernetes").experts == []

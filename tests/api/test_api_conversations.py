"""/api/v1/posts, comments, reactions, answers, polls and streams over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rucher.conversations import actions
from rucher.conversations.models import Content, Reaction
from rucher.people.actions.tokens import create_token
from rucher.spaces.models import ConfidentialRead

pytestmark = pytest.mark.django_db
JSON = "application/json"


def as_(person: Any) -> Client:
    _, raw = create_token(person)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_publish_returns_id_html_status_and_sanitises(world: dict[str, Any]) -> None:
    answer = as_(world["bob"]).post(
        "/api/v1/posts",
        {"space_id": world["open"].pk, "text": "**Bonjour** <script>alert(1)</script> #rh"},
        content_type=JSON,
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "published" and body["topics"] == ["rh"]
    assert "<strong>Bonjour</strong>" in body["html"] and "<script" not in body["html"]
    assert Content.objects.get(pk=body["id"]).author == world["bob"]


def test_question_and_profile_post(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    question = client.post(
        "/api/v1/posts",
        {"space_id": world["open"].pk, "text": "Qui sait ?", "kind": "question"},
        content_type=JSON,
    )
    assert question.status_code == 201 and question.json()["kind"] == "question"
    profile = client.post(
        "/api/v1/posts", {"space_id": None, "text": "Sur mon profil"}, content_type=JSON
    )
    assert profile.status_code == 201 and profile.json()["space"] is None


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"text": ""}, 422, "empty"),
        ({"text": "   "}, 422, "empty"),
        ({"text": "x" * (settings.RUCHER_MAX_TEXT_LENGTH + 1)}, 422, "at most"),
        ({"text": 42}, 422, "text"),
        ({"text": ["a"]}, 422, "text"),
        ({}, 422, "text"),
        ({"text": "ok", "kind": "poll"}, 422, "kind"),
        ({"text": "ok", "space_id": "abc"}, 422, "space_id"),
        ({"text": "ok", "space_id": 999999}, 404, "space not found"),
    ],
)
def test_publish_validation(
    world: dict[str, Any], body: dict[str, Any], status: int, words: str, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    body = {"space_id": world["open"].pk, **body}
    before = Content.objects.count()
    answer = as_(world["bob"]).post("/api/v1/posts", body, content_type=JSON)
    assert answer.status_code == status, answer.content
    assert words in answer.json()["detail"]
    assert Content.objects.count() == before


def test_malformed_json_is_a_4xx_json_error(world: dict[str, Any]) -> None:
    answer = as_(world["bob"]).post("/api/v1/posts", "{not json", content_type=JSON)
    assert 400 <= answer.status_code < 500
    assert "detail" in answer.json()


def test_thread_comments_quotes_and_reactions(world: dict[str, Any]) -> None:
    alice, bob = as_(world["alice"]), as_(world["bob"])
    post = alice.post(
        "/api/v1/posts", {"space_id": world["open"].pk, "text": "Idée"}, content_type=JSON
    ).json()
    first = bob.post(f"/api/v1/posts/{post['id']}/comments", {"text": "Bien vu"}, content_type=JSON)
    assert first.status_code == 201 and first.json()["kind"] == "comment"
    second = alice.post(
        f"/api/v1/posts/{post['id']}/comments",
        {"text": "Merci", "quoted_id": first.json()["id"]},
        content_type=JSON,
    )
    assert second.status_code == 201 and second.json()["quoted_id"] == first.json()["id"]
    reacted = bob.post(
        f"/api/v1/posts/{post['id']}/reactions", {"kind": "celebrate"}, content_type=JSON
    )
    assert reacted.status_code == 201 and reacted.json()["reaction_count"] == 1
    assert (
        bob.post(
            f"/api/v1/posts/{post['id']}/reactions", {"kind": "celebrate"}, content_type=JSON
        ).status_code
        == 409
    )
    assert (
        bob.post(
            f"/api/v1/posts/{post['id']}/reactions", {"kind": "angry"}, content_type=JSON
        ).status_code
        == 422
    )
    detail = bob.get(f"/api/v1/posts/{post['id']}").json()
    assert detail["comment_count"] == 2 and detail["my_reaction"] == "celebrate"
    assert [r["id"] for r in detail["thread"]] == [first.json()["id"], second.json()["id"]]
    assert bob.delete(f"/api/v1/posts/{post['id']}/reactions").status_code == 204
    assert bob.delete(f"/api/v1/posts/{post['id']}/reactions").status_code == 404
    assert Reaction.objects.filter(content_id=post["id"]).count() == 0


def test_comment_validation(world: dict[str, Any]) -> None:
    post = actions.publish(world["alice"], world["open"], "Sujet")
    other = actions.publish(world["alice"], world["open"], "Autre sujet")
    client = as_(world["bob"])
    too_long = "x" * (settings.RUCHER_MAX_COMMENT_LENGTH + 1)
    assert (
        client.post(
            f"/api/v1/posts/{post.pk}/comments", {"text": too_long}, content_type=JSON
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/v1/posts/{post.pk}/comments",
            {"text": "x", "quoted_id": other.pk},
            content_type=JSON,
        ).status_code
        == 422
    )
    assert (
        client.post("/api/v1/posts/999999/comments", {"text": "x"}, content_type=JSON).status_code
        == 404
    )


def test_deleted_posts_cannot_be_read_reacted_to_or_commented(
    world: dict[str, Any], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # asserts the English source messages
    post = actions.publish(world["alice"], world["open"], "Bientôt supprimé")
    assert as_(world["alice"]).delete(f"/api/v1/posts/{post.pk}").status_code == 204
    client = as_(world["bob"])
    assert client.get(f"/api/v1/posts/{post.pk}").status_code == 404
    reacted = client.post(f"/api/v1/posts/{post.pk}/reactions", {"kind": "like"}, content_type=JSON)
    assert reacted.status_code == 404 and reacted.json() == {"detail": "content not found"}
    assert (
        client.post(
            f"/api/v1/posts/{post.pk}/comments", {"text": "?"}, content_type=JSON
        ).status_code
        == 404
    )


def test_edit_only_by_author(world: dict[str, Any]) -> None:
    post = actions.publish(world["alice"], world["open"], "Version 1")
    assert (
        as_(world["bob"])
        .patch(f"/api/v1/posts/{post.pk}", {"text": "pirate"}, content_type=JSON)
        .status_code
        == 403
    )
    edited = as_(world["alice"]).patch(
        f"/api/v1/posts/{post.pk}", {"text": "Version 2"}, content_type=JSON
    )
    assert edited.status_code == 200 and "Version 2" in edited.json()["html"]
    assert edited.json()["edited_at"] is not None


def test_accept_answer(world: dict[str, Any]) -> None:
    question = actions.publish(world["alice"], world["open"], "Comment faire ?", kind="question")
    answer = (
        as_(world["bob"])
        .post(f"/api/v1/posts/{question.pk}/comments", {"text": "Ainsi"}, content_type=JSON)
        .json()
    )
    assert answer["kind"] == "answer"
    assert as_(world["bob"]).post(f"/api/v1/answers/{answer['id']}/accept").status_code == 403
    accepted = as_(world["alice"]).post(f"/api/v1/answers/{answer['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["accepted"] is True
    assert as_(world["alice"]).post(f"/api/v1/answers/{answer['id']}/accept").status_code == 409
    assert as_(world["alice"]).post(f"/api/v1/answers/{question.pk}/accept").status_code == 422


def test_nps_poll_over_the_api(world: dict[str, Any]) -> None:
    alice, bob = as_(world["alice"]), as_(world["bob"])
    poll = alice.post(
        "/api/v1/polls",
        {"space_id": world["open"].pk, "kind": "nps", "question": "Recommanderiez-vous l'outil ?"},
        content_type=JSON,
    )
    assert poll.status_code == 201, poll.content
    poll_id = poll.json()["id"]
    assert (
        bob.post(f"/api/v1/polls/{poll_id}/votes", {"score": 11}, content_type=JSON).status_code
        == 422
    )
    assert (
        bob.post(f"/api/v1/polls/{poll_id}/votes", {"score": 9}, content_type=JSON).status_code
        == 201
    )
    assert (
        bob.post(f"/api/v1/polls/{poll_id}/votes", {"score": 3}, content_type=JSON).status_code
        == 409
    )
    assert (
        alice.post(f"/api/v1/polls/{poll_id}/votes", {"score": 5}, content_type=JSON).status_code
        == 201
    )
    result = bob.get(f"/api/v1/posts/{poll_id}").json()["poll"]
    assert result["kind"] == "nps" and result["total"] == 2 and result["nps"] == 0.0
    assert result["my_vote"] is True and result["enough_answers"] is False


def test_choice_poll_over_the_api(world: dict[str, Any]) -> None:
    client = as_(world["alice"])
    poll = client.post(
        "/api/v1/polls",
        {"space_id": world["open"].pk, "question": "Date ?", "options": ["lundi", "mardi"]},
        content_type=JSON,
    )
    assert poll.status_code == 201
    options = poll.json()["poll"]["options"]
    assert (
        client.post(
            f"/api/v1/polls/{poll.json()['id']}/votes", {"option_id": 999999}, content_type=JSON
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/v1/polls/{poll.json()['id']}/votes",
            {"option_id": options[1]["id"]},
            content_type=JSON,
        ).status_code
        == 201
    )
    shown = client.get(f"/api/v1/posts/{poll.json()['id']}").json()["poll"]["options"]
    assert [o["votes"] for o in shown] == [0, 1]


def test_home_stream_shape_filters_and_cursor(world: dict[str, Any]) -> None:
    alice = world["alice"]
    posts = [actions.publish(alice, world["open"], f"message {i} #t{i % 2}").pk for i in range(5)]
    question = actions.publish(alice, world["open"], "Une question ?", kind="question")
    actions.react(world["bob"], Content.objects.get(pk=posts[0]), "support")
    client = as_(world["bob"])
    page = client.get("/api/v1/streams/home?limit=2").json()
    assert [i["id"] for i in page["items"]] == [question.pk, posts[4]]
    item = page["items"][1]
    assert set(item) >= {
        "id",
        "kind",
        "author",
        "space",
        "html",
        "created_at",
        "reaction_count",
        "comment_count",
        "topics",
        "my_reaction",
    }
    assert item["author"] == {"id": alice.pk, "display_name": alice.display_name}
    assert item["space"] == {"id": world["open"].pk, "name": "Ouvert"} and item["topics"] == ["t0"]
    seen = [i["id"] for i in page["items"]]
    while page["next_cursor"]:
        page = client.get(f"/api/v1/streams/home?limit=2&cursor={page['next_cursor']}").json()
        seen += [i["id"] for i in page["items"]]
    assert seen == [question.pk, *reversed(posts)]
    oldest = client.get("/api/v1/streams/home?limit=100").json()["items"][-1]
    assert oldest["my_reaction"] == "support" and oldest["reaction_count"] == 1
    questions = client.get("/api/v1/streams/home?kind=question").json()["items"]
    assert [i["id"] for i in questions] == [question.pk]
    tagged = client.get("/api/v1/streams/home?topic=t1").json()["items"]
    assert [i["id"] for i in tagged] == [posts[3], posts[1]]


@pytest.mark.parametrize(
    "query",
    [
        "cursor=nonsense!",
        "cursor=",
        "limit=0",
        "limit=101",
        "limit=abc",
        "kind=comment",
        "space_id=x",
    ],
)
def test_stream_rejects_bad_parameters(world: dict[str, Any], query: str) -> None:
    answer = as_(world["bob"]).get(f"/api/v1/streams/home?{query}")
    if query == "cursor=":  # an empty cursor means "from the start"
        assert answer.status_code == 200
        return
    assert answer.status_code == 422, answer.content
    assert isinstance(answer.json()["detail"], str)


def test_follow_mute_and_hide_over_the_api(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    sport = actions.publish(world["alice"], world["open"], "[Sport] footing")
    work = actions.publish(world["alice"], world["open"], "Budget #finance")
    followed = client.post(
        "/api/v1/follows", {"target_type": "topic", "target": "finance"}, content_type=JSON
    )
    assert followed.status_code == 201
    assert (
        client.post(
            "/api/v1/follows", {"target_type": "topic", "target": "finance"}, content_type=JSON
        ).status_code
        == 409
    )
    assert (
        client.post(
            "/api/v1/follows", {"target_type": "space", "target": 999999}, content_type=JSON
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/follows", {"target_type": "planet", "target": "x"}, content_type=JSON
        ).status_code
        == 422
    )
    assert client.delete("/api/v1/follows/topic/finance").status_code == 204
    assert (
        client.post("/api/v1/hidden-tags", {"tag": "[Sport]"}, content_type=JSON).status_code == 201
    )
    ids = [i["id"] for i in client.get("/api/v1/streams/home").json()["items"]]
    assert ids == [work.pk] and sport.pk not in ids
    assert (
        client.post(
            "/api/v1/mutes",
            {"target_type": "person", "target": world["alice"].pk},
            content_type=JSON,
        ).status_code
        == 201
    )
    assert client.get("/api/v1/streams/home").json()["items"] == []
    assert client.delete(f"/api/v1/mutes/person/{world['alice'].pk}").status_code == 204
    assert client.delete("/api/v1/hidden-tags/sport").status_code == 204
    assert len(client.get("/api/v1/streams/home").json()["items"]) == 2


def test_other_streams(world: dict[str, Any]) -> None:
    alice = world["alice"]
    question = actions.publish(world["bob"], world["open"], "Ma question #aide", kind="question")
    actions.publish(alice, world["open"], "Un post #aide")
    client = as_(world["bob"])
    assert [i["id"] for i in client.get("/api/v1/streams/my-questions").json()["items"]] == [
        question.pk
    ]
    assert len(client.get("/api/v1/streams/topics/aide").json()["items"]) == 2
    by_alice = client.get(f"/api/v1/streams/people/{alice.pk}").json()["items"]
    assert [i["author"]["id"] for i in by_alice] == [alice.pk]
    assert client.get("/api/v1/streams/people/999999").status_code == 404


def test_confidential_reads_over_the_api_are_recorded_with_channel_api(
    world: dict[str, Any],
) -> None:
    carol = world["carol"]
    post = actions.publish(world["alice"], world["confidential"], "Chiffres du trimestre")
    ConfidentialRead.objects.all().delete()
    client = as_(carol)
    assert client.get(f"/api/v1/posts/{post.pk}").status_code == 200
    assert client.get(f"/api/v1/spaces/{world['confidential'].pk}/stream").status_code == 200
    assert post.pk in [i["id"] for i in client.get("/api/v1/streams/home").json()["items"]]
    reads = list(ConfidentialRead.objects.values_list("person_id", "object_id", "channel"))
    assert reads == [(carol.pk, post.pk, "api")] * 3


@pytest.mark.parametrize("limit", [5, 50])
def test_home_stream_query_count_is_small_and_independent_of_limit(
    world: dict[str, Any],
    limit: int,
) -> None:
    alice, bob = world["alice"], world["bob"]
    for i in range(60):
        post = actions.publish(alice, world["open"], f"#t{i % 4} message {i}")
        actions.react(bob, post, "like")
    actions.publish(alice, world["confidential"], "confidentiel")  # bob cannot read it
    client = as_(bob)
    client.get("/api/v1/streams/home?limit=1")  # marks the token as used (a write, once a minute)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"/api/v1/streams/home?limit={limit}")
    assert answer.status_code == 200 and len(answer.json()["items"]) == limit
    assert all(i["my_reaction"] == "like" for i in answer.json()["items"])
    # token with the write generation (1) + the page's ids (1, prepared once per shape) + the
    # rows with author, department, space (1) + topics (1) + my reactions (1); then, until the
    # next write, the token statement alone
    assert len(queries) <= 5, [q["sql"] for q in queries.captured_queries]
    with CaptureQueriesContext(connection) as warm:
        again = client.get(f"/api/v1/streams/home?limit={limit}")
    assert again.json() == answer.json()
    assert len(warm) == 1, [q["sql"] for q in warm.captured_queries]

"""What the security probe sent: NUL bytes, lone surrogates, invisible-only text, lax ids,
huge bodies and unexpected exceptions. Every answer is a JSON 4xx (or a JSON 500 for a real
bug), the same on SQLite and PostgreSQL, and nothing broken is stored."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client, override_settings

from rucher.conversations.models import Content, Poll, Topic
from rucher.people.actions.tokens import create_token
from rucher.people.models import AccessToken
from rucher.spaces.models import Space
from rucher.streams.models import HideRule

pytestmark = pytest.mark.django_db
JSON = "application/json"
NUL = "\\u0000"  # as written in a JSON document
SURROGATE = "\\ud800"


def as_(person: Any) -> Client:
    _, raw = create_token(person)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post_raw(client: Client, path: str, document: str, **extra: Any) -> Any:
    """POST a JSON document written by hand (json.dumps would refuse a lone surrogate)."""
    return client.generic("POST", path, document.encode(), content_type=JSON, **extra)


def assert_422(answer: Any) -> None:
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json()["detail"]


def test_nul_in_token_username_is_422_without_authentication(world: dict[str, Any]) -> None:
    answer = post_raw(Client(), "/api/v1/auth/tokens", f'{{"username":"a{NUL}","password":"x"}}')
    assert_422(answer)
    assert "NUL" in answer.json()["detail"]


def test_nul_in_token_name_is_422(world: dict[str, Any]) -> None:
    document = f'{{"username":"bob","password":"demo","name":"ci{NUL}"}}'
    assert_422(post_raw(Client(), "/api/v1/auth/tokens", document))
    assert not AccessToken.objects.filter(person=world["bob"]).exists()


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_space_name_with_nul_or_surrogate_is_refused_not_stored(
    world: dict[str, Any], bad: str
) -> None:
    answer = post_raw(as_(world["bob"]), "/api/v1/spaces", f'{{"name":"Equipe{bad}"}}')
    assert_422(answer)
    assert not Space.objects.filter(name__startswith="Equipe").exists()


@pytest.mark.parametrize(
    ("path", "document"),
    [
        ("/api/v1/hidden-tags", '{"tag":"[a%sb]"}'),
        ("/api/v1/follows", '{"target_type":"topic","target":"a%sb"}'),
        ("/api/v1/mutes", '{"target_type":"topic","target":"a%sb"}'),
        ("/api/v1/posts", '{"space_id":null,"text":"Bonjour %s"}'),
    ],
)
@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_reader_controls_and_posts_refuse_broken_text(
    world: dict[str, Any], path: str, document: str, bad: str
) -> None:
    assert_422(post_raw(as_(world["bob"]), path, document % bad))
    assert not HideRule.objects.exists()
    assert not Topic.objects.filter(name__startswith="a").exists()
    assert not Content.objects.filter(text__startswith="Bonjour").exists()


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_polls_refuse_broken_question_and_options(world: dict[str, Any], bad: str) -> None:
    client = as_(world["bob"])
    space = world["open"].pk
    question = f'{{"space_id":{space},"question":"Q{bad}?","options":["a","b"]}}'
    option = f'{{"space_id":{space},"question":"Q?","options":["a{bad}","b"]}}'
    assert_422(post_raw(client, "/api/v1/polls", question))
    assert_422(post_raw(client, "/api/v1/polls", option))
    assert not Poll.objects.exists()


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_edit_and_comment_refuse_broken_text(world: dict[str, Any], bad: str) -> None:
    client = as_(world["bob"])
    post = client.post(
        "/api/v1/posts", {"space_id": world["open"].pk, "text": "Bonjour"}, content_type=JSON
    ).json()
    edit = client.generic(
        "PATCH", f"/api/v1/posts/{post['id']}", f'{{"text":"x{bad}"}}'.encode(), content_type=JSON
    )
    assert_422(edit)
    assert_422(post_raw(client, f"/api/v1/posts/{post['id']}/comments", f'{{"text":"x{bad}"}}'))
    assert Content.objects.get(pk=post["id"]).text == "Bonjour"
    assert Content.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/streams/topics/a%00b",
        "/api/v1/streams/home?topic=a%00b",
        "/api/v1/spaces?query=a%00b",
        "/api/v1/people?query=a%00b",
        "/api/v1/people?department=a%00b",
        "/api/v1/streams/home?cursor=a%00b",
    ],
)
def test_nul_in_paths_and_query_strings_is_422(world: dict[str, Any], path: str) -> None:
    assert_422(as_(world["bob"]).get(path))


def test_delete_routes_refuse_nul_in_their_path(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    assert_422(client.delete("/api/v1/follows/topic/a%00b"))
    assert_422(client.delete("/api/v1/mutes/topic/a%00b"))
    assert_422(client.delete("/api/v1/hidden-tags/a%00b"))


@pytest.mark.parametrize("invisible", ["\u202e\u200b\ufeff", "\u200b", "\u3164 \u00a0", "\u2800"])
def test_a_post_of_invisible_characters_is_empty(world: dict[str, Any], invisible: str) -> None:
    answer = as_(world["bob"]).post(
        "/api/v1/posts", {"space_id": world["open"].pk, "text": invisible}, content_type=JSON
    )
    assert_422(answer)
    assert not Content.objects.exists()


def test_visible_text_keeps_its_inner_format_characters(world: dict[str, Any]) -> None:
    text = "\u200bfamille 👨\u200d👩\u200d👧 ok\ufeff"
    answer = as_(world["bob"]).post(
        "/api/v1/posts", {"space_id": world["open"].pk, "text": text}, content_type=JSON
    )
    assert answer.status_code == 201
    assert Content.objects.get(pk=answer.json()["id"]).text == "famille 👨\u200d👩\u200d👧 ok"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/posts", {"space_id": True, "text": "x"}),
        ("/api/v1/posts", {"space_id": "1", "text": "x"}),
        ("/api/v1/posts", {"space_id": 1.5, "text": "x"}),
        ("/api/v1/polls", {"space_id": True, "question": "Q?", "options": ["a", "b"]}),
        ("/api/v1/follows", {"target_type": "space", "target": True}),
        ("/api/v1/spaces", {"name": "S", "parent_id": True}),
        ("/api/v1/spaces", {"name": "S", "confidential": 1}),
    ],
)
def test_ids_are_strict(world: dict[str, Any], path: str, body: dict[str, Any]) -> None:
    assert_422(as_(world["alice"]).post(path, body, content_type=JSON))


def test_an_unexpected_exception_is_a_json_500_with_a_logged_correlation_id(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from rucher.api.routers import conversations

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database caught fire")

    monkeypatch.setattr(conversations.actions, "publish", boom)
    client = as_(world["bob"])
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="rucher.api"):
        answer = client.post(
            "/api/v1/posts", {"space_id": world["open"].pk, "text": "x"}, content_type=JSON
        )
    assert answer.status_code == 500
    body = answer.json()
    assert set(body) == {"detail", "correlation_id"} and "fire" not in body["detail"]
    logged = [r for r in caplog.records if body["correlation_id"] in r.getMessage()]
    assert logged and logged[0].exc_info and "fire" in str(logged[0].exc_info[1])


def test_a_body_over_the_limit_is_a_json_413(world: dict[str, Any]) -> None:
    client = as_(world["bob"])
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        answer = client.post(
            "/api/v1/posts",
            {"space_id": world["open"].pk, "text": "x" * 5000},
            content_type=JSON,
        )
    assert answer.status_code == 413
    assert "too large" in answer.json()["detail"]


def test_api_errors_outside_operations_are_json_and_pages_keep_html(
    world: dict[str, Any],
) -> None:
    client = as_(world["bob"])
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.json() == {"detail": "not found"}
    wrong_method = client.put("/api/v1/streams/home")
    assert wrong_method.status_code == 405 and "detail" in wrong_method.json()
    client.force_login(world["bob"])
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")

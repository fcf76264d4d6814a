"""The pages refuse what the API refuses (rucher.text), and the composer publishes once per
form however many times it is submitted."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from rucher.conversations.models import Content
from rucher.spaces.models import Space

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    "path", ["/topics/a%00b/", "/people/@a%00b/", "/?topic=a%00b", "/questions/?cursor=a%00b"]
)
def test_nul_in_page_urls_is_a_422_page(
    world: dict[str, Any], client_for: Callable[..., Client], path: str
) -> None:
    answer = client_for(world["bob"]).get(path)
    assert answer.status_code in (404, 422), answer.status_code
    assert answer["Content-Type"].startswith("text/html")


def test_topic_and_profile_pages_refuse_nul_with_422(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    client = client_for(world["bob"])
    assert client.get("/topics/a%00b/").status_code == 422
    assert client.get("/people/@a%00b/").status_code == 422


@pytest.mark.parametrize("text", ["\u202e\u200b\ufeff", "a\x00b"])
def test_the_composer_refuses_invisible_or_nul_text(
    world: dict[str, Any], client_for: Callable[..., Client], text: str
) -> None:
    answer = client_for(world["bob"]).post(
        "/posts/new/", {"kind": "post", "space": world["open"].pk, "text": text}
    )
    assert answer.status_code == 422
    assert not Content.objects.exists()


def test_space_form_refuses_a_nul_name(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    answer = client_for(world["bob"]).post(
        "/spaces/new/", {"name": "Equipe\x00", "visibility": "open", "kind": "internal"}
    )
    assert answer.status_code in (200, 422)
    assert not Space.objects.filter(name__startswith="Equipe").exists()


def _key(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    assert found, "the composer carries a hidden idempotency key"
    return found.group(1)


def test_a_double_submit_of_the_composer_publishes_once(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    client = client_for(world["bob"])
    key = _key(client.get("/").content.decode())
    form = {"kind": "post", "space": world["open"].pk, "text": "Une fois", "idempotency_key": key}
    first = client.post("/posts/new/", form)
    second = client.post("/posts/new/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Content.objects.filter(text="Une fois").count() == 1
    # A new form (a new key) publishes again.
    other = _key(client.get("/").content.decode())
    assert other != key
    client.post("/posts/new/", {**form, "idempotency_key": other})
    assert Content.objects.filter(text="Une fois").count() == 2


def test_the_htmx_composer_gets_a_fresh_key_after_each_post(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    client = client_for(world["bob"])
    key = _key(client.get("/").content.decode())
    form = {"kind": "post", "space": world["open"].pk, "text": "Un", "idempotency_key": key}
    answer = client.post("/posts/new/", form, headers=HTMX).content.decode()
    assert 'hx-swap-oob="true"' in answer and _key(answer) != key
    client.post("/posts/new/", form, headers=HTMX)
    assert Content.objects.filter(text="Un").count() == 1
    fresh = client.post(
        "/posts/new/", {**form, "text": "Deux", "idempotency_key": _key(answer)}, headers=HTMX
    )
    assert fresh.status_code == 200 and Content.objects.count() == 2


def test_role_change_by_username_refuses_nul(
    world: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    answer = client_for(world["alice"]).post(
        f"/spaces/{world['open'].slug}/roles/", {"username": "bob\x00", "role": "member"}
    )
    assert answer.status_code == 422

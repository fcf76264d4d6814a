"""The charter: publishing versions, accepting them, the gate at the write door (one query
per write, none once passed), the API and the web page that keeps the person's text."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rucher.activity.models import Event
from rucher.charter import actions
from rucher.charter.gate import CharterRequired, require_accepted
from rucher.charter.models import CharterAcceptance, CharterVersion
from rucher.conversations import actions as conversations
from rucher.conversations.models import Content
from rucher.errors import Conflict, Forbidden, Invalid, NotFound
from rucher.people.actions.tokens import create_token
from rucher.people.models import Person

pytestmark = pytest.mark.django_db
JSON = "application/json"


def as_(person: Any) -> Client:
    _, raw = create_token(person)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def publish_members(world: dict[str, Any], fr: str = "Soyons courtois.", en: str = "") -> Any:
    return actions.publish_charter(world["admin"], "members", fr, en)


def test_versions_are_numbered_per_audience_and_one_event_each(world: dict[str, Any]) -> None:
    first = publish_members(world)
    second = publish_members(world, en="Be kind.")
    guests = actions.publish_charter(world["admin"], "partners", "", "Partners: be kind.")
    assert (first.number, second.number, guests.number) == (1, 2, 1)
    assert Event.objects.filter(verb="published_charter").count() == 3
    assert second.text_for("en") == "Be kind." and first.text_for("en") == "Soyons courtois."
    assert guests.text_for("fr") == "Partners: be kind."  # falls back to the other language


@pytest.mark.parametrize(
    ("audience", "fr", "en", "error"),
    [
        ("members", "", "  \u200b ", Invalid),  # no text at all
        ("members", None, None, Invalid),
        ("everyone", "Texte", "", Invalid),
        ("members", "x" * (actions.CHARTER_MAX_LENGTH + 1), "", Invalid),
        ("members", "a\x00b", "", Invalid),
    ],
)
def test_bad_charters_are_refused_and_nothing_is_written(
    world: dict[str, Any], audience: str, fr: Any, en: Any, error: type
) -> None:
    with pytest.raises(error):
        actions.publish_charter(world["admin"], audience, fr, en)
    assert not CharterVersion.objects.exists()
    assert not Event.objects.filter(verb="published_charter").exists()


def test_only_administrators_publish(world: dict[str, Any]) -> None:
    for name in ("alice", "cm", "gus"):
        with pytest.raises(Forbidden):
            actions.publish_charter(world[name], "members", "Texte", "")
    assert not CharterVersion.objects.exists()


def test_no_charter_no_gate(world: dict[str, Any]) -> None:
    conversations.publish(world["bob"], world["open"], "Bonjour")


def test_first_contribution_waits_for_acceptance_then_a_new_version_asks_again(
    world: dict[str, Any],
) -> None:
    publish_members(world)
    bob = world["bob"]
    with pytest.raises(CharterRequired) as refused:
        conversations.publish(bob, world["open"], "Bonjour")
    assert refused.value.version.number == 1
    assert not Content.objects.exists() and not Event.objects.filter(verb="posted").exists()
    actions.accept_charter(bob, 1)
    conversations.publish(bob, world["open"], "Bonjour")
    publish_members(world, fr="Version 2")
    bob = Person.objects.get(pk=bob.pk)  # a new request: a new person object
    with pytest.raises(CharterRequired):
        conversations.publish(bob, world["open"], "Encore")
    # Comments, answers and polls pass through the same door.
    post = Content.objects.get()
    with pytest.raises(CharterRequired):
        conversations.reply(bob, post, "Un commentaire")
    with pytest.raises(CharterRequired):
        conversations.create_poll(bob, world["open"], "Un sondage ?", ["oui", "non"])


def test_reactions_do_not_need_the_charter(world: dict[str, Any]) -> None:
    post = conversations.publish(world["alice"], world["open"], "Bonjour")
    publish_members(world)
    conversations.react(world["bob"], post, "like")


def test_partner_guests_accept_their_own_charter(world: dict[str, Any]) -> None:
    publish_members(world)
    gus = world["gus"]
    conversations.publish(gus, world["partner"], "Hello")  # no partners' charter yet
    actions.publish_charter(world["admin"], "partners", "", "Partners' charter")
    gus = Person.objects.get(pk=gus.pk)
    with pytest.raises(NotFound):  # members' version 2 does not exist for guests
        actions.accept_charter(gus, 2)
    with pytest.raises(CharterRequired):
        conversations.publish(gus, world["partner"], "Hello again")
    actions.accept_charter(gus, 1)
    assert CharterAcceptance.objects.get(person=gus).version.audience == "partners"


def test_bad_acceptances(world: dict[str, Any]) -> None:
    bob = world["bob"]
    with pytest.raises(NotFound):
        actions.accept_charter(bob, 1)  # nothing published
    publish_members(world)
    publish_members(world, fr="Deux")
    for bad, error in ((7, NotFound), ("x", Invalid), (True, Invalid), (None, Invalid)):
        with pytest.raises(error):
            actions.accept_charter(bob, bad)
    with pytest.raises(Conflict):  # an older version
        actions.accept_charter(bob, 1)
    actions.accept_charter(bob, "2")
    with pytest.raises(Conflict):
        actions.accept_charter(bob, 2)
    assert CharterAcceptance.objects.count() == 1
    assert Event.objects.filter(verb="accepted_charter").count() == 1


def test_the_gate_costs_one_query_and_none_once_passed(world: dict[str, Any]) -> None:
    publish_members(world)
    bob = world["bob"]
    actions.accept_charter(bob, 1)
    bob = Person.objects.get(pk=bob.pk)
    with CaptureQueriesContext(connection) as first:
        require_accepted(bob)
    with CaptureQueriesContext(connection) as second:
        require_accepted(bob)
    assert (len(first), len(second)) == (1, 0)
    carol = Person.objects.get(pk=world["carol"].pk)
    with CaptureQueriesContext(connection) as refused, pytest.raises(CharterRequired):
        require_accepted(carol)
    assert len(refused) == 1


def test_api_refuses_the_write_with_where_to_accept_then_accepts(world: dict[str, Any]) -> None:
    publish_members(world, fr="Soyez **courtois**.", en="Be **kind**.")
    client = as_(world["bob"])
    refused = client.post(
        "/api/v1/posts", {"space_id": world["open"].pk, "text": "Bonjour"}, content_type=JSON
    )
    assert refused.status_code == 403
    body = refused.json()
    assert body["charter"] == {
        "version": 1,
        "read": "/api/v1/charter",
        "accept": "/api/v1/charter/accept",
    }
    assert "charter" in body["detail"]
    read = client.get("/api/v1/charter", headers={"Accept-Language": "en"}).json()
    assert read["required"] is True and read["version"] == 1 and read["language"] == "en"
    assert "<strong>kind</strong>" in read["html"]
    bad = client.post("/api/v1/charter/accept", {"version": 9}, content_type=JSON)
    assert bad.status_code == 404
    assert (
        client.post("/api/v1/charter/accept", {"version": "1"}, content_type=JSON).status_code
        == 422
    )
    ok = client.post("/api/v1/charter/accept", {"version": 1}, content_type=JSON)
    assert ok.status_code == 201 and ok.json()["version"] == 1
    again = client.post("/api/v1/charter/accept", {"version": 1}, content_type=JSON)
    assert again.status_code == 409
    assert client.get("/api/v1/charter").json()["required"] is False
    posted = client.post(
        "/api/v1/posts", {"space_id": world["open"].pk, "text": "Bonjour"}, content_type=JSON
    )
    assert posted.status_code == 201


def test_api_publishing_a_version(world: dict[str, Any]) -> None:
    body = {"audience": "members", "text_fr": "", "text_en": ""}
    assert (
        as_(world["admin"]).post("/api/v1/charter/versions", body, content_type=JSON).status_code
        == 422
    )
    body["text_fr"] = "Charte"
    assert (
        as_(world["alice"]).post("/api/v1/charter/versions", body, content_type=JSON).status_code
        == 403
    )
    made = as_(world["admin"]).post("/api/v1/charter/versions", body, content_type=JSON)
    assert made.status_code == 201 and made.json()["version"] == 1
    assert as_(world["gus"]).get("/api/v1/charter").json() == {
        "audience": "partners",
        "version": None,
        "language": "",
        "text": "",
        "html": "",
        "text_fr": "",
        "text_en": "",
        "published_at": None,
        "accepted_at": None,
        "required": False,
    }


@pytest.mark.parametrize("htmx", [False, True])
def test_web_shows_the_charter_keeps_the_text_and_publishes_on_acceptance(
    world: dict[str, Any], client_for: Any, htmx: bool
) -> None:
    publish_members(world, fr="Soyez **courtois**.", en="Be **kind**.")
    client = client_for(world["bob"])
    form = {"text": "Mon premier message", "kind": "post", "space": str(world["open"].pk)}
    headers = {"HX-Request": "true"} if htmx else {}
    shown = client.post("/posts/new/", form, headers=headers)
    assert shown.status_code == 403
    page = shown.content.decode()
    assert "<strong>courtois</strong>" in page or "<strong>kind</strong>" in page
    assert 'value="Mon premier message"' in page and 'name="charter_version" value="1"' in page
    assert 'action="/posts/new/"' in page
    if htmx:
        assert shown["HX-Retarget"] == "#main"
    assert not Content.objects.exists()
    done = client.post("/posts/new/", {**form, "charter_version": "1"})
    assert done.status_code == 302
    assert Content.objects.get().text == "Mon premier message"
    assert CharterAcceptance.objects.filter(person=world["bob"]).exists()


def test_web_unknown_version_shows_the_charter_again_with_the_reason(
    world: dict[str, Any], client_for: Any
) -> None:
    publish_members(world)
    client = client_for(world["bob"])
    form = {"text": "Texte", "kind": "post", "space": str(world["open"].pk), "charter_version": "5"}
    shown = client.post("/posts/new/", form)
    assert shown.status_code == 403 and "5" in shown.content.decode()
    assert not Content.objects.exists() and not CharterAcceptance.objects.exists()


def test_charter_pages(world: dict[str, Any], client_for: Any) -> None:
    publish_members(world, fr="# Titre\n\nSoyez **courtois**.")
    bob = client_for(world["bob"])
    page = bob.get("/charter/", headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and "<strong>courtois</strong>" in page.content.decode()
    assert bob.post("/charter/", {"charter_version": "3"}).status_code == 404
    assert bob.post("/charter/", {"charter_version": "1"}).status_code == 302
    assert CharterAcceptance.objects.filter(person=world["bob"]).count() == 1
    assert bob.get("/charter/manage/").status_code == 404
    admin = client_for(world["admin"])
    assert admin.get("/charter/manage/").status_code == 200
    empty = admin.post("/charter/manage/", {"audience": "members", "text_fr": "", "text_en": ""})
    assert empty.status_code == 422 and CharterVersion.objects.count() == 1
    made = admin.post("/charter/manage/", {"audience": "partners", "text_fr": "", "text_en": "Hi"})
    assert made.status_code == 302 and CharterVersion.objects.count() == 2

"""GET/POST /api/v1/messages… and the pages /messages/ and /messages/<id>/: the answers,
their reasons, token scopes, and nobody but the participants (administrators included)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rucher.messaging import actions
from rucher.messaging.models import Message, Participant
from rucher.people.actions.tokens import create_token

pytestmark = pytest.mark.django_db
JSON = "application/json"


def api(person: Any, scopes: str = "read write") -> Client:
    _, raw = create_token(person, "test", scopes=scopes.split())
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_api_round_trip(world: dict[str, Any], settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    alice, bob = world["alice"], world["bob"]
    started = api(alice).post(
        "/api/v1/messages", {"participants": [bob.pk], "text": "Bonjour *Bob*"}, content_type=JSON
    )
    assert started.status_code == 201, started.content
    body = started.json()
    conversation_id = body["conversation_id"]
    assert body["html"] == "<p>Bonjour <em>Bob</em></p>\n"
    listed = api(bob).get("/api/v1/messages").json()
    assert [(c["id"], c["name"], c["unread"]) for c in listed["items"]] == [
        (conversation_id, "Alice Test", 1)
    ]
    assert api(bob).get("/api/v1/messages/unread-count").json() == {"unread": 1}
    thread = api(bob).get(f"/api/v1/messages/{conversation_id}").json()
    assert [m["text"] for m in thread["messages"]] == ["Bonjour *Bob*"]
    assert api(bob).post(f"/api/v1/messages/{conversation_id}/read").json() == {
        "marked": True,
        "unread": 0,
    }
    sent = api(bob).post(
        f"/api/v1/messages/{conversation_id}", {"text": "Merci !"}, content_type=JSON
    )
    assert sent.status_code == 201
    reacted = api(alice).post(
        f"/api/v1/messages/reactions/{sent.json()['id']}", {"kind": "like"}, content_type=JSON
    )
    assert reacted.status_code == 201 and reacted.json()["reaction_counts"] == {"like": 1}
    assert api(alice).delete(f"/api/v1/messages/reactions/{sent.json()['id']}").status_code == 204


def test_files_over_the_api(world: dict[str, Any], settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.LANGUAGE_CODE = "en"
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    first = actions.start_conversation(alice, [bob.pk], "Le plan arrive")
    url = f"/api/v1/messages/{first.conversation_id}/files"
    sent = api(alice).post(
        url,
        {
            "text": "Voici le plan",
            "files": [
                SimpleUploadedFile("plan.txt", b"le plan", content_type="text/plain"),
                SimpleUploadedFile("notes.txt", b"des notes", content_type="text/plain"),
            ],
        },
    )
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["files"] == ["plan.txt", "notes.txt"]
    first_file = body["attachments"][0]
    assert (first_file["name"], first_file["size"], first_file["content_type"]) == (
        "plan.txt",
        7,
        "text/plain",
    )
    # The other participant reads it in the thread and downloads it with their own token.
    thread = api(bob).get(f"/api/v1/messages/{first.conversation_id}").json()
    assert thread["messages"][-1]["attachments"] == body["attachments"]
    download = api(bob).get(first_file["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"le plan"
    assert 'filename="plan.txt"' in download["Content-Disposition"]
    # Nobody else, administrators included; a read-only token cannot send.
    for outsider in (carol, world["admin"]):
        refused = api(outsider).get(first_file["url"])
        assert refused.status_code == 404 and refused.json()["detail"] == "file not found"
        sending = api(outsider).post(url, {"text": "Moi aussi", "files": [_note()]})
        assert sending.status_code == 404
    assert api(bob, "read").post(url, {"text": "Lu", "files": [_note()]}).status_code == 403
    # Bad files are told, and no message is written.
    before = Message.objects.count()
    for files, reason in (
        ([SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/x-msdownload")], ""),
        ([_note() for _ in range(6)], "at most 5 files"),
        ([], ""),
    ):
        refused = api(alice).post(url, {"text": "Encore", "files": files})
        assert refused.status_code == 422, refused.content
        assert reason in refused.json()["detail"].__str__()
    assert Message.objects.count() == before
    assert api(alice).get("/api/v1/messages/files/999999").status_code == 404


def _note() -> SimpleUploadedFile:
    return SimpleUploadedFile("note.txt", b"Bonjour", content_type="text/plain")


@pytest.mark.parametrize(
    ("payload", "status", "reason"),
    [
        ({"participants": [], "text": "Bonjour"}, 422, "at least one person"),
        ({"participants": ["bob"], "text": "Bonjour"}, 422, ""),
        ({"participants": [None], "text": "Bonjour"}, 422, ""),
        ({"text": "Bonjour"}, 422, ""),
        ({"participants": "BOB", "text": ""}, 422, ""),
        ({"participants": "BOB", "text": "   "}, 422, "cannot be empty"),
        ({"participants": "GUS", "text": "Bonjour"}, 403, "partner guest"),
        ({"participants": 2**70, "text": "Bonjour"}, 422, ""),
        ({"participants": 10**9, "text": "Bonjour"}, 404, "person not found"),
    ],
)
def test_bad_input_answers_a_4xx_with_a_reason(
    world: dict[str, Any], payload: dict[str, Any], status: int, reason: str, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    if payload.get("participants") == "BOB":
        payload = {**payload, "participants": [world["bob"].pk]}
    elif payload.get("participants") == "GUS":
        payload = {**payload, "participants": [world["gus"].pk]}
    elif isinstance(payload.get("participants"), int):
        payload = {**payload, "participants": [payload["participants"]]}
    answer = api(world["bob"] if "GUS" in str(payload) else world["carol"]).post(
        "/api/v1/messages", payload, content_type=JSON
    )
    if payload.get("participants") == [world["gus"].pk]:
        answer = api(world["bob"]).post("/api/v1/messages", payload, content_type=JSON)
    assert answer.status_code == status, answer.content
    assert reason in answer.json()["detail"] if isinstance(answer.json()["detail"], str) else True
    assert not Message.objects.exists()


def test_too_many_people(world: dict[str, Any], make_person: Callable[..., Any]) -> None:
    people = [make_person().pk for _ in range(20)]
    answer = api(world["alice"]).post(
        "/api/v1/messages", {"participants": people, "text": "Bonjour"}, content_type=JSON
    )
    assert answer.status_code == 422
    assert "20" in answer.json()["detail"]


def test_not_a_participant_is_not_found_even_for_an_administrator(world: dict[str, Any]) -> None:
    message = actions.start_conversation(world["alice"], [world["bob"].pk], "Entre nous")
    cid = message.conversation_id
    for person in (world["carol"], world["admin"], world["cm"], world["gus"]):
        client = api(person)
        assert client.get(f"/api/v1/messages/{cid}").status_code == 404
        assert (
            client.post(f"/api/v1/messages/{cid}", {"text": "Hop"}, content_type=JSON).status_code
            == 404
        )
        assert client.post(f"/api/v1/messages/{cid}/read").status_code == 404
        assert (
            client.post(
                f"/api/v1/messages/reactions/{message.pk}", {"kind": "like"}, content_type=JSON
            ).status_code
            == 404
        )
        assert client.get("/api/v1/messages").json()["items"] == []
        browser = Client()
        browser.force_login(person)
        assert browser.get(f"/messages/{cid}/").status_code == 404
        assert browser.post(f"/messages/{cid}/", {"text": "Hop"}).status_code == 404
        assert browser.post(f"/messages/react/{message.pk}/", {"kind": "like"}).status_code == 404
        assert "Entre nous" not in browser.get("/messages/").content.decode()
    assert Message.objects.count() == 1


def test_token_scopes(world: dict[str, Any]) -> None:
    reader = api(world["alice"], "read")
    assert reader.get("/api/v1/messages").status_code == 200
    refused = reader.post(
        "/api/v1/messages", {"participants": [world["bob"].pk], "text": "Hop"}, content_type=JSON
    )
    assert refused.status_code == 403
    assert Client().get("/api/v1/messages").status_code == 401


def test_the_pages(world: dict[str, Any], settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    alice, bob = world["alice"], world["bob"]
    browser = Client()
    browser.force_login(alice)
    page = browser.get("/messages/")
    assert page.status_code == 200
    assert "Nouvelle conversation" in page.content.decode()
    assert 'href="/messages/"' in page.content.decode()  # the header's link
    prefilled = browser.get(f"/messages/?to={bob.pk}").content.decode()
    assert 'value="bob"' in prefilled
    note = SimpleUploadedFile("note.txt", b"Bonjour", content_type="text/plain")
    sent = browser.post(
        "/messages/new/", {"to": "@bob", "title": "", "text": "Salut **Bob**", "files": note}
    )
    assert sent.status_code == 302
    message = Message.objects.get()
    assert sent["Location"] == f"/messages/{message.conversation_id}/"
    other = Client()
    other.force_login(bob)
    listing = other.get("/messages/").content.decode()
    assert "Alice Test" in listing and "1 non lu" in listing
    thread = other.get(f"/messages/{message.conversation_id}/").content.decode()
    assert "<strong>Bob</strong>" in thread and "note.txt" in thread
    assert Participant.objects.get(person=bob).last_read_id == message.pk  # read on opening
    [attachment] = message.attachments.all()
    download = other.get(f"/messages/files/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"Bonjour"
    outsider = Client()
    outsider.force_login(world["admin"])
    assert outsider.get(f"/messages/files/{attachment.pk}/").status_code == 404
    answered = other.post(f"/messages/{message.conversation_id}/", {"text": "Merci"})
    assert answered.status_code == 302
    reacted = browser.post(f"/messages/react/{message.pk + 1}/", {"kind": "like"})
    assert reacted.status_code == 302


@pytest.mark.parametrize(
    ("to", "text", "expected"),
    [
        ("", "Bonjour", "Ce champ est obligatoire"),
        ("bob", "   ", "Ce champ est obligatoire"),
        ("inconnu", "Bonjour", "ne s’appelle inconnu"),
        ("gus", "Bonjour", "invité partenaire"),
    ],
)
def test_the_new_conversation_form_says_what_is_wrong(
    world: dict[str, Any], to: str, text: str, expected: str
) -> None:
    browser = Client()
    browser.force_login(world["bob"])
    answer = browser.post("/messages/new/", {"to": to, "title": "", "text": text})
    assert answer.status_code == 422
    assert expected in answer.content.decode()
    assert not Message.objects.exists()


def test_an_empty_message_in_a_thread_is_refused(world: dict[str, Any]) -> None:
    message = actions.start_conversation(world["alice"], [world["bob"].pk], "Bonjour")
    browser = Client()
    browser.force_login(world["bob"])
    answer = browser.post(f"/messages/{message.conversation_id}/", {"text": " "})
    assert answer.status_code == 422
    assert Message.objects.count() == 1

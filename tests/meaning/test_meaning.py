"""Vectors follow the writes; neighbours are filtered by the read policy; pages pinned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.conversations.models import Content
from rucher.meaning import nearest, nearest_to_item, related_items, similar_answered_questions
from rucher.meaning import subscriber as meaning_subscriber
from rucher.meaning.models import ContentVector
from rucher.meaning.neighbours import visible_candidates
from rucher.meaning.vectors import embed_all, refresh_vectors

THREAD_PAGE = 14  # tests/web/test_page_queries.py (its root has no vector: no related rows)

pytestmark = pytest.mark.django_db

VACATION_FR = "Comment poser des jours de congés payés pour cet été ?"
VACATION_EN = "How do I request paid vacation days for the summer?"
CANTEEN = "Le menu de la cantine change lundi : plus de plats végétariens."
BUDGET = "Le budget du projet informatique est dépassé de dix pour cent."


def deliver_pending() -> None:
    """Run the meaning subscriber on every event appended so far (what the worker does)."""
    for event in Event.objects.order_by("pk"):
        if event.verb in meaning_subscriber.VERBS:
            meaning_subscriber.on_event(event)


def ask_and_accept(asker: Any, answerer: Any, space: Any, text: str) -> Content:
    question = actions.publish(asker, space, text, kind="question")
    answer = actions.reply(answerer, question, "Par le portail RH, rubrique absences.")
    actions.accept_answer(asker, answer)
    return question


def test_the_subscriber_embeds_recomputes_and_drops(world: dict[str, Any]) -> None:
    alice = world["alice"]
    post = actions.publish(alice, world["open"], CANTEEN)
    deliver_pending()
    row = ContentVector.objects.get(content=post)
    assert row.kind == "post" and len(row.vector) == 512 * 2  # float16
    first = bytes(row.vector)
    deliver_pending()  # a redelivered event changes nothing (same text, same encoder)
    assert ContentVector.objects.get(content=post).changed_at == row.changed_at

    actions.edit(alice, post, BUDGET)
    deliver_pending()
    assert bytes(ContentVector.objects.get(content=post).vector) != first

    actions.delete(alice, post)
    deliver_pending()
    assert ContentVector.objects.get(content=post).vector in (b"", memoryview(b""))
    assert nearest(BUDGET, limit=5) == []


def test_nearest_crosses_languages_and_filters_kinds(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    vacation = actions.publish(alice, world["open"], VACATION_EN, kind="question")
    canteen = actions.publish(bob, world["open"], CANTEEN)
    budget = actions.publish(bob, world["open"], BUDGET)
    embed_all()
    found = nearest(VACATION_FR, limit=3)
    assert found[0].id == vacation.pk and found[0].kind == "question"
    assert {c.id for c in found} == {vacation.pk, canteen.pk, budget.pk}
    assert [c.similarity for c in found] == sorted((c.similarity for c in found), reverse=True)
    assert [c.id for c in nearest(VACATION_FR, limit=3, kinds=["post"])] != [vacation.pk]
    assert nearest(VACATION_FR, limit=3, exclude=[vacation.pk])[0].id != vacation.pk
    assert nearest("   ", limit=3) == []
    with pytest.raises(ValueError):
        nearest(VACATION_FR, limit=3, kinds=["person"])
    assert nearest_to_item(vacation.pk, limit=2)[0].id != vacation.pk


def test_the_matrix_sees_changes_made_after_it_loaded(world: dict[str, Any]) -> None:
    alice = world["alice"]
    first = actions.publish(alice, world["open"], CANTEEN)
    refresh_vectors([first.pk])
    assert [c.id for c in nearest(CANTEEN, limit=5)] == [first.pk]
    second = actions.publish(alice, world["open"], VACATION_FR)
    refresh_vectors([second.pk])
    assert {c.id for c in nearest(CANTEEN, limit=5)} == {first.pk, second.pk}
    actions.delete(alice, second)
    refresh_vectors([second.pk])
    assert [c.id for c in nearest(CANTEEN, limit=5)] == [first.pk]


def test_nothing_unreadable_is_related_or_similar(
    world: dict[str, Any], make_person: Callable[..., Any]
) -> None:
    """bob reads the open space only; gus the partner space only; carol the secret one."""
    alice, bob, carol, gus = world["alice"], world["bob"], world["carol"], world["gus"]
    anchor = actions.publish(alice, world["open"], VACATION_FR)
    in_open = ask_and_accept(alice, alice, world["open"], VACATION_EN)
    in_secret = ask_and_accept(alice, carol, world["secret"], "Congés payés : comment les poser ?")
    in_partner = ask_and_accept(alice, gus, world["partner"], "Request my paid holidays")
    in_private = ask_and_accept(alice, carol, world["private"], "Poser mes congés d'été")
    hidden = ask_and_accept(alice, alice, world["open"], "Demander des vacances cet été")
    Content.objects.filter(pk=hidden.pk).update(status=Content.Status.HIDDEN)
    unanswered = actions.publish(
        alice, world["open"], "Poser des congés en août ?", kind="question"
    )
    embed_all()

    everything = nearest(VACATION_FR, limit=50)
    assert {in_secret.pk, in_partner.pk, in_private.pk}.issubset({c.id for c in everything})

    def seen(person: Any) -> tuple[set[int], set[int]]:
        related = {item.id for item in related_items(person, anchor, limit=20)}
        similar = {item.id for item in similar_answered_questions(person, VACATION_FR, limit=20)}
        return related, similar

    related, similar = seen(bob)
    assert in_open.pk in related and in_open.pk in similar
    assert not (related | similar) & {in_secret.pk, in_partner.pk, in_private.pk, hidden.pk}
    assert unanswered.pk not in similar  # no accepted answer yet
    related, similar = seen(carol)
    assert {in_secret.pk, in_private.pk} <= similar and in_partner.pk not in similar
    _related, similar = seen(gus)
    assert similar == {in_partner.pk}
    visible = visible_candidates(gus, everything)
    assert in_partner.pk in {c.id for c in visible}
    assert {Content.objects.get(pk=c.id).space_id for c in visible} == {world["partner"].pk}
    assert related_items(make_person("partner", username="nobody"), anchor) == []


def test_embed_command_is_resumable(world: dict[str, Any]) -> None:
    from rucher.cli import main

    actions.publish(world["alice"], world["open"], CANTEEN)
    actions.publish(world["alice"], world["open"], BUDGET)
    first = CliRunner().invoke(main, ["embed", "--quiet", "--batch", "1"])
    assert first.exit_code == 0, first.output
    assert "2 embedded" in first.output
    again = CliRunner().invoke(main, ["embed", "--quiet"])
    assert "0 embedded" in again.output
    assert ContentVector.objects.count() == 2


# session, user, the changes of the vector matrix since it was last read, the related rows
SIMILAR_QUESTIONS = 4


def test_similar_questions_fragment(
    world: dict[str, Any], client_for: Callable[[Any], Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    question = ask_and_accept(world["alice"], world["bob"], world["open"], VACATION_FR)
    secret = ask_and_accept(world["alice"], world["carol"], world["secret"], VACATION_EN)
    embed_all()
    client = client_for(world["bob"])
    client.get("/questions/similar/", {"text": "warm up", "kind": "question"})
    with CaptureQueriesContext(connection) as captured:
        answer = client.get("/questions/similar/", {"text": VACATION_EN, "kind": "question"})
    assert answer.status_code == 200
    assert len(captured) == SIMILAR_QUESTIONS, [q["sql"][:120] for q in captured]
    html = answer.content.decode()
    assert "Similar questions" in html and f"/posts/{question.pk}/" in html
    assert f"/posts/{secret.pk}/" not in html
    as_post = client.get("/questions/similar/", {"text": VACATION_EN, "kind": "post"})
    assert as_post.status_code == 200 and b"<li>" not in as_post.content
    long = client.get("/questions/similar/", {"text": "é😀 " * 5000, "kind": "question"})
    assert long.status_code == 200
    assert client.post("/questions/similar/").status_code == 405
    assert Client().get("/questions/similar/").status_code == 302  # sign in first


def test_related_block_on_the_content_page_in_both_languages(
    world: dict[str, Any], client_for: Callable[[Any], Client], settings: Any
) -> None:
    alice = world["alice"]
    root = actions.publish(alice, world["open"], VACATION_FR)
    other = actions.publish(alice, world["open"], VACATION_EN + " Merci d'avance")
    secret = actions.publish(alice, world["secret"], "Poser ses congés payés cet été")
    embed_all()
    client = client_for(world["bob"])
    settings.LANGUAGE_CODE = "en"
    client.get(f"/posts/{root.pk}/")  # the daily "viewed" event is written once
    with CaptureQueriesContext(connection) as captured:
        html = client.get(f"/posts/{root.pk}/").content.decode()
    # tests/web/test_page_queries.py's thread page, plus the related rows (the root has a vector)
    assert len(captured) == THREAD_PAGE + 1, "\n".join(q["sql"][:150] for q in captured)
    assert "Related" in html and f"/posts/{other.pk}/" in html
    assert f"/posts/{secret.pk}/" not in html
    client.cookies["django_language"] = "fr"
    french = client.get(f"/posts/{root.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Contenus liés" in french


def test_a_query_is_encoded_once_and_its_vector_cannot_be_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rucher.meaning import vectors

    calls: list[list[str]] = []
    real_encode = vectors.encode

    def counting(texts: Any) -> Any:
        calls.append(list(texts))
        return real_encode(texts)

    monkeypatch.setattr(vectors, "encode", counting)
    vectors.encode_query.cache_clear()
    first = vectors.encode_query(VACATION_FR)
    again = vectors.encode_query(VACATION_FR)
    other = vectors.encode_query(CANTEEN)
    assert calls == [[VACATION_FR], [CANTEEN]]
    assert again is first and other is not first
    with pytest.raises(ValueError):
        first[0] = 1.0  # shared between callers: read-only

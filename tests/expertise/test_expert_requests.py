"""A question left unanswered is suggested to a few people who know and may read it; its
asker sees them under the question ("who could answer?")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.conversations.models import Content
from rucher.expertise.models import ExpertRequest
from rucher.expertise.requests import look_once, suggested_for
from rucher.notifications.models import Kind, Notification
from rucher.notifications.queries import describe

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowing(world: dict[str, Any], make_person: Any) -> dict[str, Any]:
    """dave answered about kubernetes in the open space (accepted); carol only in the secret
    space."""
    from rucher.spaces.actions import join_space

    dave = make_person(username="dave", job_title="SRE")
    join_space(dave, world["open"])
    for expert, space in ((dave, world["open"]), (world["carol"], world["secret"])):
        question = actions.publish(
            world["alice"], space, "Comment déployer kubernetes ?", kind="question"
        )
        answer = actions.reply(expert, question, "Pour kubernetes, voici la méthode.")
        actions.accept_answer(world["alice"], answer)
    return {**world, "dave": dave}


def ask(person: Any, space: Any, text: str, hours_ago: float) -> Content:
    question = actions.publish(person, space, text, kind="question")
    Content.objects.filter(pk=question.pk).update(
        created_at=timezone.now() - timedelta(hours=hours_ago)
    )
    question.refresh_from_db()
    return question


def requests_for(person: Any) -> list[int]:
    return list(
        Notification.objects.filter(recipient=person, kind=Kind.EXPERT_REQUEST).values_list(
            "content_id", flat=True
        )
    )


def test_an_unanswered_question_is_suggested_to_who_knows_and_may_read_it(
    knowing: dict[str, Any], client_for: Any
) -> None:
    bob, dave, carol = knowing["bob"], knowing["dave"], knowing["carol"]
    question = ask(bob, knowing["open"], "Kubernetes : comment déployer ?", hours_ago=25)
    recent = ask(bob, knowing["open"], "Kubernetes encore, plus tard ?", hours_ago=1)
    assert look_once() == 1
    assert requests_for(dave) == [question.pk]
    assert requests_for(bob) == []  # never the asker
    assert requests_for(carol) == []  # her evidence is in a space bob cannot read
    assert look_once() == 0  # each question is looked at once
    assert recent.pk not in set(ExpertRequest.objects.values_list("question_id", flat=True))
    with translation.override("fr"):
        shown = describe(dave, list(Notification.objects.filter(recipient=dave)))
        assert "attend encore une réponse" in shown[0].text
    # Its asker sees who could answer; nobody else does.
    assert [p.pk for p in suggested_for(bob, question)] == [dave.pk]
    assert suggested_for(knowing["alice"], question) == []
    page = client_for(bob).get(f"/posts/{question.pk}/").content.decode()
    assert "Qui pourrait répondre ?" in page and "@dave" in page
    other = client_for(knowing["alice"]).get(f"/posts/{question.pk}/").content.decode()
    assert "Qui pourrait répondre ?" not in other


def test_answered_questions_are_left_alone(knowing: dict[str, Any]) -> None:
    bob = knowing["bob"]
    question = ask(bob, knowing["open"], "Kubernetes : une autre question ?", hours_ago=30)
    actions.reply(knowing["alice"], question, "Voici une réponse.")
    assert look_once() == 0
    assert requests_for(knowing["dave"]) == []


def test_a_few_requests_per_person_and_week(knowing: dict[str, Any], settings: Any) -> None:
    settings.RUCHER_EXPERTS_REQUESTS_PER_WEEK = 1
    bob = knowing["bob"]
    ask(bob, knowing["open"], "Kubernetes : première ?", hours_ago=30)
    ask(bob, knowing["open"], "Kubernetes : seconde ?", hours_ago=28)
    assert look_once() == 2
    assert len(requests_for(knowing["dave"])) == 1


def test_a_secret_question_is_suggested_only_to_its_readers(knowing: dict[str, Any]) -> None:
    question = ask(knowing["carol"], knowing["secret"], "Kubernetes en secret ?", hours_ago=30)
    look_once()
    readers = set(
        Notification.objects.filter(kind=Kind.EXPERT_REQUEST, content_id=question.pk).values_list(
            "recipient_id", flat=True
        )
    )
    assert knowing["dave"].pk not in readers  # dave is not a member of the secret space
    assert knowing["bob"].pk not in readers


def test_the_asker_mentions_the_people_suggested_in_one_click(
    knowing: dict[str, Any], client_for: Any
) -> None:
    bob, dave, alice = knowing["bob"], knowing["dave"], knowing["alice"]
    question = ask(bob, knowing["open"], "Kubernetes : comment déployer ?", hours_ago=25)
    web = client_for(bob)
    # Before anyone is suggested, there is nothing to mention.
    assert web.post(f"/posts/{question.pk}/mention-experts/").status_code == 409
    look_once()
    page = web.get(f"/posts/{question.pk}/").content.decode()
    assert "Mentionner 1 personne dans ma question" in page
    # Nobody else may do it for the asker.
    assert client_for(alice).post(f"/posts/{question.pk}/mention-experts/").status_code == 403
    done = web.post(f"/posts/{question.pk}/mention-experts/", follow=True)
    assert done.status_code == 200
    assert "a été mentionné·e dans votre question" in done.content.decode()
    question.refresh_from_db()
    assert question.text.endswith("\n\ncc @dave")
    assert list(question.mentions.values_list("pk", flat=True)) == [dave.pk]
    told = Event.objects.filter(verb="mentioned", object_id=question.pk, target_id=dave.pk)
    assert told.count() == 1
    assert question.revisions.count() == 1  # the earlier text stays in the history
    assert "Mentionner 1 personne" not in web.get(f"/posts/{question.pk}/").content.decode()
    # Twice: nobody is mentioned twice, and the refusal says why.
    again = web.post(f"/posts/{question.pk}/mention-experts/")
    assert again.status_code == 409 and "déjà mentionné" in again.content.decode()
    assert told.count() == 1


def test_the_people_suggested_over_the_api(knowing: dict[str, Any], client_for: Any) -> None:
    bob, dave = knowing["bob"], knowing["dave"]
    question = ask(bob, knowing["open"], "Kubernetes : comment déployer ?", hours_ago=25)
    api = client_for(bob)
    url = f"/api/v1/questions/{question.pk}/suggested-experts"
    assert api.get(url).json() == {"items": []}
    look_once()
    expected = {
        "id": dave.pk,
        "username": "dave",
        "display_name": dave.display_name,
        "job_title": "SRE",
    }
    assert api.get(url).json() == {"items": [{**expected, "mentioned": False}]}
    assert client_for(knowing["alice"]).get(url).status_code == 403
    assert client_for(knowing["alice"]).post(f"{url}/mention").status_code == 403
    # A question the caller may not read is not found.
    hidden = ask(knowing["carol"], knowing["secret"], "Question secrète ?", hours_ago=30)
    assert api.get(f"/api/v1/questions/{hidden.pk}/suggested-experts").status_code == 404
    answer = api.post(f"{url}/mention")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"items": [{**expected, "mentioned": True}]}
    assert api.get(url).json() == {"items": [{**expected, "mentioned": True}]}
    refused = api.post(f"{url}/mention")
    assert refused.status_code == 409 and refused.json()["detail"]
    post = actions.publish(bob, knowing["open"], "Pas une question")
    not_a_question = api.post(f"/api/v1/questions/{post.pk}/suggested-experts/mention")
    assert not_a_question.status_code == 422

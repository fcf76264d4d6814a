"""What an endpoint sees: open internal spaces and profile posts by default; private, secret and
partner-shared spaces only when included; confidential spaces only with their own flag."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rucher.activity.models import Event
from rucher.conversations import actions as conversations
from rucher.spaces.models import ConfidentialRead
from rucher.webhooks.models import Delivery
from rucher.webhooks.subscriber import on_event

pytestmark = pytest.mark.django_db


def hand_on_all() -> None:
    """What the worker does after each commit (the subscriber, called in order)."""
    for event in Event.objects.order_by("id"):
        on_event(event)


def sent_to(endpoint: Any) -> set[str]:
    """The spaces (by name; "profile" for a profile post) the endpoint was told about."""
    names = set()
    for payload in Delivery.objects.filter(endpoint=endpoint).values_list("payload", flat=True):
        data = payload["data"]
        space = data["content"]["space"] if "content" in data else data.get("space")
        if "answer" in data:
            space = data["answer"]["space"]
        names.add(space["name"] if space else "profile")
    return names


@pytest.fixture
def everywhere(world: dict[str, Any], make_space: Any) -> dict[str, Any]:
    """A post in every space of the world (and an open confidential space, and a profile)."""
    alice = world["alice"]
    world["open_confidential"] = make_space(alice, "Ouvert confidentiel", confidential=True)
    for key in ("open", "private", "secret", "partner", "confidential", "open_confidential"):
        conversations.publish(alice, world[key], f"Message dans {world[key].name} SECRETWORD")
    conversations.publish(alice, None, "Sur mon profil")
    return world


def test_by_default_only_open_internal_spaces_and_profile_posts(
    everywhere: dict[str, Any], endpoint_for: Any
) -> None:
    endpoint = endpoint_for("http://127.0.0.1:9/hook")
    hand_on_all()
    assert sent_to(endpoint) == {"Ouvert", "profile"}
    bodies = str(list(Delivery.objects.values_list("payload", flat=True)))
    for hidden in ("Secret", "Privé", "Partenaires", "Confidentiel"):
        assert hidden not in bodies  # not even a space's name
    assert bodies.count("SECRETWORD") == 2  # the open space's post only (its text and html)


def test_private_secret_and_partner_spaces_when_included_but_never_confidential(
    everywhere: dict[str, Any], endpoint_for: Any
) -> None:
    endpoint = endpoint_for("http://127.0.0.1:9/hook", include_private_spaces=True)
    hand_on_all()
    assert sent_to(endpoint) == {"Ouvert", "Privé", "Secret", "Partenaires", "profile"}


def test_confidential_spaces_only_with_their_own_flag(
    everywhere: dict[str, Any], endpoint_for: Any
) -> None:
    only_confidential = endpoint_for("http://127.0.0.1:9/a", include_confidential=True)
    everything = endpoint_for(
        "http://127.0.0.1:9/b", include_confidential=True, include_private_spaces=True
    )
    hand_on_all()
    # A private confidential space also needs the private flag.
    assert sent_to(only_confidential) == {"Ouvert", "Ouvert confidentiel", "profile"}
    assert sent_to(everything) == {
        "Ouvert",
        "Ouvert confidentiel",
        "Privé",
        "Secret",
        "Partenaires",
        "Confidentiel",
        "profile",
    }
    # Confidential content that left rucher is recorded as read, under the endpoint's creator.
    reads = ConfidentialRead.objects.filter(channel="webhook")
    assert sorted(reads.values_list("space__name", flat=True)) == [
        "Confidentiel",
        "Ouvert confidentiel",
        "Ouvert confidentiel",
    ]
    assert set(reads.values_list("person", flat=True)) == {everywhere["admin"].pk}


def test_joins_follow_the_same_rule(world: dict[str, Any], endpoint_for: Any) -> None:
    from rucher.spaces.actions import invite, join_space

    default = endpoint_for("http://127.0.0.1:9/a", ("member.joined",))
    Event.objects.all().delete()  # the world's own joins are not what this test is about
    join_space(world["cm"], world["open"])
    invite(world["alice"], world["secret"], world["bob"])
    join_space(world["bob"], world["secret"])
    hand_on_all()
    assert sent_to(default) == {"Ouvert"}


def test_an_inactive_endpoint_or_an_unsubscribed_type_gets_nothing(
    world: dict[str, Any], endpoint_for: Any
) -> None:
    endpoint_for("http://127.0.0.1:9/a", ("comment.created",))
    endpoint_for("http://127.0.0.1:9/b", ("post.created",), active=False)
    conversations.publish(world["alice"], world["open"], "Personne n'écoute")
    hand_on_all()
    assert Delivery.objects.count() == 0


def test_answers_and_accepted_answers(world: dict[str, Any], endpoint_for: Any) -> None:
    endpoint = endpoint_for("http://127.0.0.1:9/a", ("question.answered", "answer.accepted"))
    question = conversations.publish(world["alice"], world["open"], "Qui sait ?", "question")
    answer = conversations.reply(world["bob"], question, "Moi")
    conversations.accept_answer(world["alice"], answer)
    hand_on_all()
    rows = {d.event_type: d.payload["data"] for d in Delivery.objects.filter(endpoint=endpoint)}
    assert rows["question.answered"]["answer"]["id"] == answer.pk
    assert rows["question.answered"]["question"]["id"] == question.pk
    assert rows["answer.accepted"]["accepted_by"]["username"] == "alice"


def test_the_subscriber_costs_one_query_when_no_endpoint_listens(world: dict[str, Any]) -> None:
    conversations.publish(world["alice"], world["open"], "Personne")
    event = Event.objects.get(verb="posted")
    with CaptureQueriesContext(connection) as queries:
        assert on_event(event) == []
    assert len(queries) == 1


def test_the_subscriber_costs_a_fixed_number_of_queries_whatever_the_endpoints(
    world: dict[str, Any], endpoint_for: Any, django_assert_num_queries: Any
) -> None:
    for n in range(3):
        endpoint_for(f"http://127.0.0.1:9/{n}", ("post.created",))
    conversations.publish(world["alice"], world["open"], "Trois fois #a #b")
    event = Event.objects.get(verb="posted")
    # endpoints, the content (author, space joined), its topics, the existing deliveries,
    # then per endpoint: the delivery and its task (2 × 3), inside one savepoint (2).
    with django_assert_num_queries(4 + 2 * 3 + 2):
        assert len(on_event(event)) == 3

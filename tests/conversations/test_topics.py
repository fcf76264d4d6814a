"""conversations.topics: one normalisation of a topic name, whichever door it comes in by."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from rucher.conversations import actions
from rucher.conversations.models import Topic
from rucher.conversations.rendering import extract, render
from rucher.conversations.topics import MAX_TOPIC_LENGTH, normalise_topic, topic_key
from rucher.errors import Invalid
from rucher.people.actions.tokens import create_token
from rucher.streams import actions as stream_actions
from rucher.streams.models import Follow, TargetType
from rucher.streams.queries import StreamFilters, home, topic_stream


@pytest.mark.parametrize(
    ("given", "stored"),
    [("RH", "rh"), ("#RH", "rh"), ("  #Finance  ", "finance"), ("##x", "x"), ("# a", "a")],
)
def test_a_topic_name_is_stripped_unhashed_and_lower_case(given: str, stored: str) -> None:
    assert normalise_topic(given) == stored == topic_key(given)


@pytest.mark.parametrize("given", ["", "   ", "#", "##", "x" * (MAX_TOPIC_LENGTH + 1), None])
def test_an_empty_or_long_topic_name_is_invalid_and_says_so_in_french(given: Any) -> None:
    with pytest.raises(Invalid):
        normalise_topic(given)
    with translation.override("fr"), pytest.raises(Invalid) as error:
        normalise_topic(given)
    assert "50" in error.value.message and "topic name" not in error.value.message


def test_text_hashtags_are_stored_as_the_follow_names_them() -> None:
    _mentions, topics, _tag = extract("Budget #Finance et #RH-Paris")
    assert topics == [normalise_topic("#Finance"), normalise_topic("RH-Paris")]
    assert '/topics/finance/"' in render("#Finance").html


@pytest.mark.django_db
def test_follow_filter_and_topic_page_agree_on_the_name(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Budget #Finance")
    assert list(post.topics.values_list("name", flat=True)) == ["finance"]
    follow = stream_actions.follow(bob, TargetType.TOPIC, "  #FINANCE ")
    assert follow.target_id == Topic.objects.get(name="finance").pk
    assert Follow.objects.filter(follower=bob, target_type=TargetType.TOPIC).count() == 1
    assert [i.pk for i in topic_stream(bob, "#Finance").items] == [post.pk]
    assert [i.pk for i in home(bob, filters=StreamFilters(topic="FINANCE")).items] == [post.pk]
    client = Client()
    client.force_login(bob)
    page = client.get("/topics/Finance/")
    assert page.status_code == 200 and post.html in page.content.decode()
    assert client.get("/topics/" + "x" * 51 + "/").status_code == 422
    _, raw = create_token(bob)
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    items = api.get("/api/v1/streams/topics/%23Finance").json()["items"]
    assert [i["id"] for i in items] == [post.pk]
    assert api.get("/api/v1/streams/home?topic=" + "x" * 51).status_code == 422
    with pytest.raises(Invalid):
        stream_actions.follow(bob, TargetType.TOPIC, "#")

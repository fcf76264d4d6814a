"""Reaction counts per kind, kept by the actions and shown on pages and over the API."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.conversations.models import Content, Reaction
from rucher.errors import NotFound
from rucher.people.actions.tokens import create_token
from rucher.spaces.actions import join_space
from rucher.streams.queries import home

pytestmark = pytest.mark.django_db


def test_counts_follow_reactions_changes_and_withdrawals(world: dict[str, Any]) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    join_space(carol, world["open"])
    post = actions.publish(alice, world["open"], "Nouvelle cantine")
    actions.react(bob, post, "like")
    actions.react(carol, post, "like")
    post.refresh_from_db()
    assert (post.reaction_count, post.reaction_counts) == (2, {"like": 2})
    actions.react(carol, post, "celebrate")  # changes her reaction: still one
    post.refresh_from_db()
    assert (post.reaction_count, post.reaction_counts) == (2, {"like": 1, "celebrate": 1})
    before = Event.objects.count()
    actions.unreact(bob, post)
    post.refresh_from_db()
    assert (post.reaction_count, post.reaction_counts) == (1, {"celebrate": 1})
    withdrawn = Event.objects.get(verb="unreacted")
    assert Event.objects.count() == before + 1
    assert (withdrawn.actor_id, withdrawn.object_id, withdrawn.target_id) == (
        bob.pk,
        post.pk,
        alice.pk,
    )
    with pytest.raises(NotFound):
        actions.unreact(bob, post)
    post.refresh_from_db()
    assert post.reaction_counts == {"celebrate": 1}


def test_a_withdrawn_reaction_renews_cached_pages(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Bonjour")
    actions.react(bob, post, "insightful")
    assert home(bob).items[0].reaction_counts == {"insightful": 1}
    actions.unreact(bob, post)
    assert home(bob).items[0].reaction_counts == {}


def test_pages_and_api_show_each_kind(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    post = actions.publish(alice, world["open"], "Bravo l'équipe")
    actions.react(bob, post, "support")
    client = Client()
    client.force_login(bob)
    page = client.get("/").content.decode()
    assert '<span class="n">1</span>' in page
    item = client.get("/api/v1/streams/home").json()["items"][0]
    assert item["reaction_counts"] == {"support": 1} and item["reaction_count"] == 1
    detail = client.get(f"/api/v1/posts/{post.pk}").json()
    assert detail["reaction_counts"] == {"support": 1}
    _, raw = create_token(alice)
    answer = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        f"/api/v1/posts/{post.pk}/reactions", {"kind": "curious"}, content_type="application/json"
    )
    assert answer.status_code == 201
    assert answer.json()["reaction_counts"] == {"support": 1, "curious": 1}


def test_the_migration_counts_reactions_made_before_it(world: dict[str, Any]) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    post = actions.publish(alice, world["open"], "Avant")
    now = timezone.now()
    Reaction.objects.create(content=post, person=bob, kind="like", created_at=now)
    Reaction.objects.create(content=post, person=carol, kind="curious", created_at=now)
    Content.objects.filter(pk=post.pk).update(reaction_counts={})
    migration = importlib.import_module("rucher.conversations.migrations.0004_reaction_counts")
    migration.count_existing_reactions(apps, None)
    post.refresh_from_db()
    assert post.reaction_counts == {"like": 1, "curious": 1}

"""Mentions reach only people who may read the content (no notification, no event otherwise:
it would leak a private or secret conversation)."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.conversations import actions

pytestmark = pytest.mark.django_db


def test_mentioning_a_guest_in_a_secret_space_records_no_mention(
    world: dict[str, Any],
) -> None:
    """alice (who sees gus) mentions gus in the secret space: gus cannot read it, so he is
    not stored as mentioned and no `mentioned` event targets him."""
    post = actions.publish(
        world["alice"], world["secret"], "Faut-il garder @gus comme fournisseur ?"
    )
    assert not post.mentions.filter(pk=world["gus"].pk).exists()
    assert not Event.objects.filter(verb="mentioned", target_id=world["gus"].pk).exists()


def test_an_edit_records_only_the_newly_mentioned(world: dict[str, Any]) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    post = actions.publish(alice, world["open"], "Bonjour @bob")
    actions.edit(alice, post, "Bonjour @bob et @carol, et @gus")
    assert set(post.mentions.all()) == {bob, carol}
    targets = Event.objects.filter(verb="mentioned", object_id=post.pk).values_list(
        "target_id", flat=True
    )
    assert sorted(targets) == sorted([bob.pk, carol.pk])
    assert Event.objects.filter(verb="edited", object_id=post.pk).count() == 1

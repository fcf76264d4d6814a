"""``AnyOf``: the ids bound as one value give exactly what ``__in`` gives, on both databases
(that they are looked up in the column's index: tests/streams/test_plans.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F

from rucher.conversations.models import Content
from rucher.db.lookups import AnyOf

pytestmark = pytest.mark.django_db


def test_any_of_is_in(world: dict[str, Any]) -> None:
    from rucher.conversations import actions

    alice = world["alice"]
    posts = [actions.publish(alice, world["open"], f"message {n}") for n in range(5)]
    replies = [actions.reply(alice, posts[1], f"réponse {n}") for n in range(3)]
    wanted = [posts[1].pk, posts[3].pk, 10**12]
    for column in ("pk", "root_id"):
        plain = Content.objects.filter(**{f"{column}__in": wanted}).order_by("pk")
        bound = Content.objects.filter(AnyOf(F(column), wanted)).order_by("pk")
        assert list(bound) == list(plain)
    assert {c.pk for c in Content.objects.filter(AnyOf(F("root_id"), wanted))} == {
        r.pk for r in replies
    }
    assert list(Content.objects.filter(AnyOf(F("pk"), []))) == []
    # Far past SQLite's bound-parameter limit: one value whatever the number of ids.
    many = [*range(1, 40_000), posts[4].pk]
    assert Content.objects.filter(AnyOf(F("pk"), many)).count() == Content.objects.count()
    with pytest.raises((TypeError, ValueError)):
        Content.objects.filter(AnyOf(F("pk"), ["1 OR 1=1"])).count()
    with pytest.raises(ValueError):  # PostgreSQL's bigint[] could not hold it
        Content.objects.filter(AnyOf(F("pk"), [1, 2**63])).count()

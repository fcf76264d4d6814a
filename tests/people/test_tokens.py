"""Personal access tokens (people/tokens.py): made and revoked by actions, each with its event;
only a hash is stored; someone else's token is not found."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.activity.models import Event
from rucher.errors import Invalid, NotFound
from rucher.people.actions.tokens import (
    MAX_LIFETIME_DAYS,
    TOKEN_PREFIX,
    create_token,
    revoke_token,
)
from rucher.people.models import AccessToken, Person, hash_token
from rucher.people.queries import active_tokens

pytestmark = pytest.mark.django_db


def test_creating_a_token_stores_its_hash_and_appends_created_token(
    world: dict[str, Any],
) -> None:
    bob = world["bob"]
    token, raw = create_token(bob, "  intégration  ", 30)
    assert raw.startswith(TOKEN_PREFIX) and token.name == "intégration"
    assert token.token_hash == hash_token(raw) and raw not in token.token_hash
    assert token.prefix == raw[: len(TOKEN_PREFIX) + 6]
    assert token.expires_at is not None
    event = Event.objects.get(verb="created_token")
    assert (event.actor_id, event.object_type, event.object_id) == (bob.pk, "token", token.pk)
    assert active_tokens(bob) == [token]


def test_revoking_a_token_appends_revoked_token_once(world: dict[str, Any]) -> None:
    bob = world["bob"]
    token, _raw = create_token(bob)
    revoked = revoke_token(bob, token.pk)
    assert revoked.revoked_at is not None and active_tokens(bob) == []
    revoke_token(bob, str(token.pk))  # again: nothing more happens
    events = Event.objects.filter(verb="revoked_token")
    assert [(e.actor_id, e.object_type, e.object_id) for e in events] == [
        (bob.pk, "token", token.pk)
    ]


@pytest.mark.parametrize("token_id", ["someone else's", "x", None, 10**6])
def test_someone_elses_or_a_missing_token_is_not_found(
    world: dict[str, Any], token_id: Any
) -> None:
    token, _raw = create_token(world["alice"])
    wanted = token.pk if token_id == "someone else's" else token_id
    with pytest.raises(NotFound):
        revoke_token(world["bob"], wanted)
    assert AccessToken.objects.get(pk=token.pk).revoked_at is None
    assert not Event.objects.filter(verb="revoked_token").exists()


@pytest.mark.parametrize(
    ("name", "days"), [("x" * 101, 30), ("ok", 0), ("ok", MAX_LIFETIME_DAYS + 1)]
)
def test_invalid_token_requests_write_nothing(world: dict[str, Any], name: str, days: int) -> None:
    with pytest.raises(Invalid):
        create_token(world["bob"], name, days)
    assert not AccessToken.objects.exists()
    assert not Event.objects.filter(verb="created_token").exists()


def test_inactive_accounts_cannot_hold_tokens(world: dict[str, Any]) -> None:
    Person.objects.filter(pk=world["bob"].pk).update(is_active=False)
    world["bob"].refresh_from_db()
    with pytest.raises(Invalid):
        create_token(world["bob"])

"""Feed keys are the holder's actions (feeds/actions.py): one event each, one active key per
person, nothing but a hash and a nonce stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from rucher.activity.models import Event
from rucher.errors import Invalid, NotFound
from rucher.feeds.actions import create_feed_key, revoke_feed_key
from rucher.feeds.keys import active_key, key_from_nonce, lookup, well_formed
from rucher.feeds.models import FeedToken
from rucher.people.models import hash_token

pytestmark = pytest.mark.django_db


def test_creating_a_key_stores_its_hash_and_appends_created_token(
    world: dict[str, Any],
) -> None:
    bob = world["bob"]
    token, key = create_feed_key(bob)
    assert well_formed(key) and token.token_hash == hash_token(key)
    assert key not in (token.nonce, token.token_hash)
    event = Event.objects.get(verb="created_token")
    assert (event.actor_id, event.object_type, event.object_id) == (bob.pk, "feed_key", token.pk)
    assert active_key(bob) == key


def test_regenerating_revokes_the_previous_key(world: dict[str, Any]) -> None:
    bob = world["bob"]
    first, old = create_feed_key(bob)
    second, new = create_feed_key(bob)
    assert old != new
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert lookup(old) is None and lookup(new) is not None
    assert FeedToken.objects.filter(person=bob, revoked_at__isnull=True).count() == 1
    assert active_key(bob) == new


def test_one_active_key_per_person_is_a_constraint(world: dict[str, Any]) -> None:
    bob = world["bob"]
    create_feed_key(bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedToken.objects.create(person=bob, nonce="n", token_hash=hash_token("x"))


def test_revoking_appends_revoked_token_and_needs_a_key(world: dict[str, Any]) -> None:
    bob = world["bob"]
    token, key = create_feed_key(bob)
    assert revoke_feed_key(bob).pk == token.pk
    assert Event.objects.filter(verb="revoked_token", object_type="feed_key").count() == 1
    assert lookup(key) is None and active_key(bob) is None
    with pytest.raises(NotFound):
        revoke_feed_key(bob)
    assert Event.objects.filter(verb="revoked_token").count() == 1


def test_someone_elses_key_is_untouched(world: dict[str, Any]) -> None:
    _token, key = create_feed_key(world["bob"])
    with pytest.raises(NotFound):
        revoke_feed_key(world["carol"])
    assert lookup(key) is not None


@pytest.mark.parametrize("change", ["inactive", "left"])
def test_people_inactive_or_gone_hold_no_key(world: dict[str, Any], change: str) -> None:
    bob = world["bob"]
    if change == "inactive":
        bob.is_active = False
    else:
        bob.left_at = timezone.now() - timedelta(days=1)
    with pytest.raises(Invalid):
        create_feed_key(bob)
    assert not FeedToken.objects.exists()


def test_a_key_is_derived_from_its_nonce_and_the_secret_key(settings: Any) -> None:
    key = key_from_nonce("abc")
    assert well_formed(key) and key == key_from_nonce("abc") != key_from_nonce("abd")
    settings.SECRET_KEY = "rotated" * 10
    assert key_from_nonce("abc") != key


@pytest.mark.parametrize(
    "raw", ["", "rcf_", "rcf_" + "A" * 42, "rcf_" + "A" * 44, "rch_" + "A" * 43, "rcf_" + "é" * 43]
)
def test_a_malformed_key_is_refused_without_a_query(
    raw: str, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        assert lookup(raw) is None


def test_feed_keys_reach_the_audit_trail_as_feed_keys(world: dict[str, Any]) -> None:
    from rucher.audit.mirror import mirror_event
    from rucher.audit.models import AuditEntry

    token, _key = create_feed_key(world["bob"])
    revoke_feed_key(world["bob"])
    for event in Event.objects.filter(object_type="feed_key").order_by("pk"):
        assert mirror_event(event)  # what the worker does with each after the commit
    entries = AuditEntry.objects.filter(object_type="feed_key").order_by("seq")
    assert [(e.action, e.object_id) for e in entries] == [
        ("created_token", token.pk),
        ("revoked_token", token.pk),
    ]

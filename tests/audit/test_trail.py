"""The audit trail: chained entries, what writes them, and what breaks the chain."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from rucher.activity.actions import record_many
from rucher.activity.models import Event
from rucher.audit import mirror
from rucher.audit.models import AuditEntry, AuditHead
from rucher.audit.trail import GENESIS, append, digest
from rucher.audit.verify import verify
from rucher.spaces.actions import set_role
from rucher.spaces.models import Membership

pytestmark = pytest.mark.django_db


def test_entries_are_chained_and_the_chain_verifies() -> None:
    first = append("exported", actor_label="cli:root", detail={"format": "csv", "n": 3})
    second = append("sign_in_failed", actor_label="bob", address="192.0.2.1")
    assert first is not None and second is not None
    assert (first.seq, second.seq) == (1, 2)
    assert first.previous_hash == GENESIS and second.previous_hash == first.hash
    stored = AuditEntry.objects.get(seq=2)
    assert digest(stored.previous_hash, stored) == stored.hash  # as read back from the database
    verdict = verify()
    assert verdict.intact and verdict.checked == 2 and verdict.last_hash == second.hash
    head = AuditHead.objects.get()
    assert (head.last_seq, head.last_hash) == (2, second.hash)


def a_trail(length: int = 5) -> list[AuditEntry]:
    entries = [append("signed_in", actor_label=f"p{n}", address="192.0.2.9") for n in range(length)]
    return [e for e in entries if e is not None]


def test_an_edited_entry_is_named() -> None:
    a_trail()
    AuditEntry.objects.filter(seq=3).update(actor_label="someone else")
    verdict = verify()
    assert not verdict.intact and verdict.broken_at == 3 and "changed" in verdict.reason
    assert verdict.checked == 2


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link() -> None:
    a_trail()
    entry = AuditEntry.objects.get(seq=3)
    entry.actor_label = "forger"
    entry.hash = digest(entry.previous_hash, entry)
    entry.save()
    verdict = verify()
    assert verdict.broken_at == 4 and "does not follow" in verdict.reason


def test_a_removed_entry_is_seen() -> None:
    a_trail()
    AuditEntry.objects.filter(seq=2).delete()
    verdict = verify()
    assert verdict.broken_at == 2 and "missing" in verdict.reason


def test_removed_newest_entries_are_seen() -> None:
    a_trail()
    AuditEntry.objects.filter(seq__gte=4).delete()  # the chain that is left holds…
    verdict = verify()
    assert (
        not verdict.intact and verdict.broken_at == 4 and "#4 to #5 were removed" in verdict.reason
    )


def test_a_shifted_date_breaks_the_chain() -> None:
    a_trail(3)
    entry = AuditEntry.objects.get(seq=1)
    AuditEntry.objects.filter(seq=1).update(at=entry.at - timedelta(days=1))
    assert verify().broken_at == 1


def test_role_changes_are_mirrored_once_by_the_worker_task(world: dict[str, Any]) -> None:
    membership = Membership.objects.get(person=world["bob"], space=world["open"])
    set_role(world["alice"], membership, "community_manager")
    event = Event.objects.filter(verb="changed_role").latest("pk")
    mirror.mirror(event)
    mirror.mirror(event)  # delivered twice (at least once): appended once
    entries = AuditEntry.objects.filter(event_id=event.pk)
    assert entries.count() == 1
    entry = entries.get()
    assert (entry.action, entry.actor_id, entry.actor_label, entry.target_id, entry.space_id) == (
        "changed_role",
        world["alice"].pk,
        "",  # by id only: the trail names nobody (docs/privacy.md)
        world["bob"].pk,
        world["open"].pk,
    )
    assert entry.at == event.at  # when it happened, not when it was copied
    assert verify().intact


def test_catch_up_appends_what_the_hand_off_lost(world: dict[str, Any]) -> None:
    # In these tests transactions never commit, so no task ran: every audited act is pending.
    waiting = mirror.pending()
    assert waiting == Event.objects.filter(verb__in=mirror.AUDITED_VERBS).count() > 0
    assert mirror.catch_up() == waiting
    assert mirror.pending() == 0 and mirror.catch_up() == 0
    # Events loaded in bulk (an importer) after the checkpoint are caught up the same way.
    record_many(
        [
            Event(
                actor=world["bob"],
                verb="joined_space",
                object_type="space",
                object_id=world["open"].pk,
                space_id=world["open"].pk,
            ),
            Event(actor=world["bob"], verb="posted", object_type="post", object_id=1),
        ]
    )
    assert mirror.pending() == 1 and mirror.catch_up() == 1
    assert verify().intact


def test_sign_ins_failed_sign_ins_and_refusals_are_recorded_with_the_address(
    world: dict[str, Any],
) -> None:
    client = Client(REMOTE_ADDR="192.0.2.44")
    client.post("/login/", {"username": "bob", "password": "wrong"})
    client.post("/login/", {"username": "bob", "password": "demo"})
    failed = AuditEntry.objects.get(action="sign_in_failed")
    assert (failed.actor_id, failed.actor_label, failed.address) == (
        world["bob"].pk,
        "",
        "192.0.2.44",
    )
    signed_in = AuditEntry.objects.get(action="signed_in")
    assert (signed_in.actor_id, signed_in.address) == (world["bob"].pk, "192.0.2.44")
    from rucher.people import throttle

    for _ in range(throttle.ACCOUNT_FREE_FAILURES + 6):  # a wait of half a minute
        throttle.record_failure("carol", None)
    throttle.claim_attempt("carol")
    Client().post("/login/", {"username": "carol", "password": "demo"})
    refused = AuditEntry.objects.get(action="sign_in_refused")
    assert refused.actor_id == world["carol"].pk and refused.detail["wait_seconds"] >= 1
    Client().post("/login/", {"username": "nobody-here", "password": "x"})
    assert AuditEntry.objects.filter(action="sign_in_failed", actor_label="nobody-here").exists()


def test_reading_a_confidential_space_is_in_the_trail(
    world: dict[str, Any], client_for: Any
) -> None:
    from rucher.conversations.actions import publish

    post = publish(world["alice"], world["confidential"], "Budget 2027")
    assert client_for(world["carol"]).get(f"/posts/{post.pk}/").status_code == 200
    entry = AuditEntry.objects.get(action="read_confidential")
    assert entry.actor_id == world["carol"].pk and entry.space_id == world["confidential"].pk
    assert entry.detail["count"] == 1 and entry.detail["items"][0][1] == post.pk


def test_a_bulk_load_is_one_entry_and_leaves_nothing_pending(db: None) -> None:
    from rucher.commands.demo import load_demo

    load_demo(5, people=40, items=300, progress=False)
    assert Event.objects.filter(verb__in=mirror.AUDITED_VERBS).count() > 40  # joins, spaces…
    # Past the load, only the demo's two real acts wait for the worker's mirror: the members'
    # and the partner guests' charters, published by the demo administrator.
    assert mirror.pending() == 2
    mirror.catch_up()
    assert mirror.pending() == 0
    assert AuditEntry.objects.filter(action="published_charter").count() == 2
    loaded = AuditEntry.objects.get(action="bulk_loaded")
    assert loaded.detail["source"] and loaded.detail["people"] >= 40
    assert verify().intact

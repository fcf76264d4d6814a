"""A member's export (built by the worker, theirs only, expiring) and per-space retention
(old content deleted daily, suspended by a legal hold, each run recorded and audited)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rucher.activity.models import Event
from rucher.audit.models import AuditEntry
from rucher.conversations import actions as conversations
from rucher.conversations.models import Content
from rucher.errors import Conflict, Forbidden, Invalid
from rucher.notifications.models import Kind, Notification, PushSubscription
from rucher.notifications.queries import describe, shown_to
from rucher.privacy import actions as privacy
from rucher.privacy.models import DataExport, RetentionRun
from rucher.privacy.retention import apply_all, cutoff_for
from rucher.privacy.tasks import build_export, enqueue_retention_if_due


def built(person: Any) -> tuple[DataExport, dict[str, Any], zipfile.ZipFile]:
    export = privacy.request_export(person)
    build_export.call(export.pk)
    export.refresh_from_db()
    archive = zipfile.ZipFile(io.BytesIO(export.file.read()))
    return export, json.loads(archive.read("rucher-data.json")), archive


@pytest.mark.django_db
def test_the_export_holds_the_members_data_and_files_and_nobody_elses(
    world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    alice, bob = world["alice"], world["bob"]
    post = conversations.publish(bob, world["open"], "Le message de Bob")
    conversations.attach(bob, post, SimpleUploadedFile("plan.txt", b"le plan", "text/plain"))
    conversations.reply(alice, post, "La réponse privée d'Alice")
    conversations.react(bob, post, "like")
    PushSubscription.objects.create(
        person=bob,
        endpoint="https://fcm.googleapis.com/fcm/send/secret-endpoint",
        p256dh="secret-key",
        auth="secret-auth",
        user_agent="Chrome sur Android",
        created_at=timezone.now(),
    )
    bob.home_stream = "essential"
    bob.save(update_fields=["home_stream"])
    export, data, archive = built(bob)
    assert export.status == DataExport.Status.READY and export.downloadable
    assert data["profile"]["username"] == "bob"
    assert [c["text"] for c in data["content"]] == ["Le message de Bob"]
    assert data["reactions"][0]["kind"] == "like"
    assert {m["space"] for m in data["memberships"]} == {"Ouvert"}
    assert any(name.endswith("plan.txt") for name in archive.namelist())
    assert archive.read(next(n for n in archive.namelist() if n.endswith("plan.txt"))) == b"le plan"
    assert data["profile"]["home_stream"] == "essential"
    assert [d["device"] for d in data["push_devices"]] == ["Chrome sur Android"]
    everything = json.dumps(data, ensure_ascii=False)
    assert "Alice" not in everything and "réponse privée" not in everything
    assert "secret" not in everything  # a device's endpoint and keys are never exported


@pytest.mark.django_db
def test_one_export_at_a_time_and_the_link_is_the_owners_until_it_expires(
    world: dict[str, Any], client_for: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    bob = world["bob"]
    export, _data, _archive = built(bob)
    with pytest.raises(Conflict):
        privacy.request_export(bob)
    url = f"/settings/privacy/exports/{export.pk}/"
    download = client_for(bob).get(url)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert client_for(world["alice"]).get(url).status_code == 404  # another's: not found
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client_for(bob).get(url).status_code == 410


@pytest.mark.django_db
def test_retention_deletes_old_content_unless_on_legal_hold(world: dict[str, Any]) -> None:
    alice = world["alice"]
    old = conversations.publish(alice, world["open"], "Un vieux message")
    reply = conversations.reply(world["bob"], old, "Une réponse récente")
    recent = conversations.publish(alice, world["open"], "Un message récent")
    elsewhere = conversations.publish(alice, world["private"], "Un vieux message ailleurs")
    two_years_ago = timezone.now() - timedelta(days=730)
    Content.objects.filter(pk__in=[old.pk, elsewhere.pk]).update(created_at=two_years_ago)
    privacy.set_retention(world["admin"], world["open"], months=12, legal_hold=True)
    assert apply_all() == 0 and Content.objects.filter(pk=old.pk).exists()
    assert RetentionRun.objects.get().held
    privacy.set_retention(world["admin"], world["open"], months=12, legal_hold=False)
    assert apply_all() == 1  # the thread's root; its reply goes with it
    assert not Content.objects.filter(pk__in=[old.pk, reply.pk]).exists()
    assert Content.objects.filter(pk__in=[recent.pk, elsewhere.pk]).count() == 2
    assert AuditEntry.objects.filter(action="applied_retention").count() == 2
    assert Event.objects.filter(verb="applied_retention").count() == 2


@pytest.mark.django_db
def test_retention_rules_are_checked_and_for_administrators_only(world: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        privacy.set_retention(world["alice"], world["open"], months=12, legal_hold=False)
    for wrong in (0, -3, 5000, "12", True, 1.5):
        with pytest.raises(Invalid):
            privacy.set_retention(world["admin"], world["open"], months=wrong, legal_hold=False)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_worker_runs_retention_once_a_day() -> None:
    assert enqueue_retention_if_due() is True
    RetentionRun.objects.create(space_id=1)
    assert enqueue_retention_if_due() is False


def test_the_cutoff_is_calendar_months() -> None:
    from datetime import UTC, datetime

    assert cutoff_for(1, datetime(2026, 3, 31, tzinfo=UTC)) == datetime(2026, 2, 28, tzinfo=UTC)
    assert cutoff_for(14, datetime(2026, 1, 15, tzinfo=UTC)) == datetime(2024, 11, 15, tzinfo=UTC)


@pytest.mark.django_db
def test_a_ready_export_is_in_the_notification_centre_once_and_the_request_is_audited(
    world: dict[str, Any], client_for: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    bob = world["bob"]
    export, _data, _archive = built(bob)
    audit = AuditEntry.objects.get(action="requested_export")
    assert audit.actor_id == bob.pk and audit.object_id == export.pk
    build_export.call(export.pk)  # a retried task tells nobody twice
    rows = Notification.objects.filter(recipient=bob, kind=Kind.EXPORT_READY)
    assert rows.count() == 1 and rows[0].subject == f"export:{export.pk}"
    assert not shown_to(world["alice"]).filter(kind=Kind.EXPORT_READY).exists()
    [shown] = describe(bob, list(shown_to(bob)))
    assert shown.text == "Votre téléchargement de données est prêt"
    assert shown.url == "/settings/privacy/"
    page = client_for(bob).get("/notifications/").content.decode()
    assert "Votre téléchargement de données est prêt" in page

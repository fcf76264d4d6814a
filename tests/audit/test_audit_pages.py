"""The administrators' audit page, its exports, the CLI, and appends racing on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection

from rucher.audit.models import AuditEntry
from rucher.audit.trail import append
from rucher.audit.verify import verify
from rucher.commands import audit as audit_command

pytestmark = pytest.mark.django_db


def test_only_administrators_read_the_trail(world: dict[str, Any], client_for: Any) -> None:
    for name in ("alice", "cm", "gus"):
        assert client_for(world[name]).get("/audit/").status_code == 404
    from django.test import Client

    assert Client().get("/audit/").status_code == 302  # to the sign-in page
    page = client_for(world["admin"]).get("/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Journal d’audit" in text or "Journal d'audit" in text


def test_the_page_reads_in_words_and_its_reading_is_audited(
    world: dict[str, Any], client_for: Any
) -> None:
    append(
        "changed_role", actor=world["alice"], space_id=world["open"].pk, target_id=world["bob"].pk
    )
    append(
        "read_confidential",
        actor=world["carol"],
        space_id=world["secret"].pk,
        detail={"count": 2, "items": []},
    )
    admin = client_for(world["admin"])
    page = admin.get("/audit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "a changé le rôle de quelqu’un dans un espace" in page or "changé" in page
    assert "Ouvert" in page and "Bob Test" in page
    assert "Secret" not in page.split("<table")[1], "a secret space the admin is not in"
    assert "un espace secret" in page
    reads = AuditEntry.objects.filter(action="read_audit", actor_id=world["admin"].pk)
    assert reads.count() == 1
    admin.post("/i18n/setlang/", {"language": "en", "next": "/audit/"})
    english = admin.get("/audit/").content.decode()
    assert (
        "changed someone&#x27;s role in a space" in english or "changed someone's role" in english
    )
    assert verify().intact


def test_a_bulk_load_is_named_in_words(world: dict[str, Any], client_for: Any) -> None:
    append("bulk_loaded", actor_label="bulk", detail={"source": "demo"})
    page = client_for(world["admin"]).get("/audit/").content.decode()
    assert "automatique (chargement en masse)" in page
    assert ">bulk<" not in page


def test_search_filters_and_pages(world: dict[str, Any], client_for: Any) -> None:
    for n in range(60):
        append("sign_in_failed", actor_label="bob" if n % 2 else "mallory", address="192.0.2.1")
    admin = client_for(world["admin"])
    page = admin.get("/audit/", {"actor": "mallory", "action": "sign_in_failed"})
    assert page.status_code == 200
    rows = page.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") == 30 and "mallory" in rows and ">bob<" not in rows
    first = admin.get("/audit/", {"action": "sign_in_failed"}).content.decode()
    assert "before=" in first  # 60 entries: a second page
    assert admin.get("/audit/", {"since": "2026-13-01"}).status_code == 422
    assert admin.get("/audit/", {"since": "2026-12-05", "until": "2026-12-01"}).status_code == 422
    assert admin.get("/audit/", {"before": "abc"}).status_code == 422
    assert admin.get("/audit/", {"space": "no-such-space"}).status_code == 422


def test_exports_are_complete_parseable_and_audited(world: dict[str, Any], client_for: Any) -> None:
    append("exported", actor_label="=cmd|' /C calc'!A0", detail={"format": "csv"})
    admin = client_for(world["admin"])
    response = admin.get("/audit/", {"format": "csv"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["seq"] for r in rows] == [str(e.seq) for e in AuditEntry.objects.order_by("seq")][
        : len(rows)
    ]
    assert any(r["actor_label"].startswith("'=") for r in rows), "no formula reaches a sheet"
    lines = b"".join(admin.get("/audit/", {"format": "jsonl"}).streaming_content).decode()
    parsed = [json.loads(line) for line in lines.splitlines()]
    assert {"seq", "at", "action", "hash", "previous_hash"} <= parsed[0].keys()
    assert AuditEntry.objects.filter(action="exported_audit").count() == 2


def test_the_cli_verifies_names_the_broken_entry_and_exports(tmp_path: Path) -> None:
    for n in range(4):
        append("signed_in", actor_label=f"p{n}")
    runner = CliRunner()
    ok = runner.invoke(audit_command.group, ["verify"])
    assert ok.exit_code == 0 and "4 entries, chain intact" in ok.output
    out = tmp_path / "audit.jsonl"
    exported = runner.invoke(audit_command.group, ["export", "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    assert len(out.read_text().splitlines()) == 4
    assert AuditEntry.objects.filter(action="exported_audit").count() == 1
    bad = runner.invoke(audit_command.group, ["export", "--since", "yesterday"])
    assert bad.exit_code == 2 and "--since" in bad.output
    AuditEntry.objects.filter(seq=2).update(action="nothing happened")
    broken = runner.invoke(audit_command.group, ["verify"])
    assert broken.exit_code == 1 and "BROKEN at entry #2" in broken.output


@pytest.mark.django_db(transaction=True)
def test_appends_racing_from_many_connections_never_fork_the_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent writers need a server database (SQLite test databases are in memory)"
        )
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        from django.db import connections

        try:
            for k in range(10):
                append("signed_in", actor_label=f"w{n}-{k}")
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEntry.objects.count() == 80
    verdict = verify()
    assert verdict.intact and verdict.checked == 80


def test_feed_keys_are_not_called_api_tokens(world: dict[str, Any], client_for: Any) -> None:
    append("created_token", actor=world["bob"], object_type="feed_key", object_id=1)
    append("created_token", actor=world["bob"], object_type="token", object_id=2)
    page = client_for(world["admin"]).get("/audit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "a créé une clé de flux (RSS/Atom)" in page
    assert "a créé un jeton d’API" in page

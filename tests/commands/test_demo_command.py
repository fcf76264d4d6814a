"""`rucher demo`: load once, reuse, refuse a database with real data, serve."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from rucher.commands import demo
from rucher.conversations.models import Content, Poll, Reaction
from rucher.people.models import Person
from rucher.sentiment.models import ContentSentiment
from rucher.spaces.models import Membership, Space

SMALL = ["--no-serve", "--people", "60", "--items", "600"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(demo.command, list(args))
    return result.exit_code, result.output


@pytest.mark.django_db
def test_demo_loads_once_then_reuses() -> None:
    code, output = run(*SMALL, "--seed", "3")
    assert code == 0, output
    assert "animatrice" in output and "partenaire" in output
    counts = (Person.objects.count(), Content.objects.count(), Reaction.objects.count())
    assert counts[0] == 60 and not Person.objects.filter(is_demo=False).exists()
    # The cockpit's opinion page reads stored sentiment: the demo scores what it wrote.
    with_text = Content.objects.filter(status="published").exclude(text="").count()
    assert ContentSentiment.objects.count() == with_text > 0
    code, output = run(*SMALL, "--seed", "4")
    assert code == 0, output
    assert "reusing" in output
    assert "sentiment of 0 of" in output  # already scored: nothing to do again
    assert (Person.objects.count(), Content.objects.count(), Reaction.objects.count()) == counts


@pytest.mark.django_db
def test_demo_accounts() -> None:
    assert run(*SMALL)[0] == 0
    accounts = {
        p.username: p
        for p in Person.objects.filter(
            username__in=["admin", "animatrice", "employe", "partenaire"]
        )
    }
    assert all(p.check_password("demo") for p in accounts.values())
    assert accounts["admin"].is_superuser and accounts["admin"].is_staff
    assert accounts["animatrice"].kind == "community_manager"
    assert accounts["partenaire"].is_guest

    def spaces(username: str) -> list[Space]:
        return [
            m.space
            for m in Membership.objects.filter(
                person=accounts[username], status="active"
            ).select_related("space")
        ]

    mine = spaces("employe")
    assert len([s for s in mine if s.kind == "internal" and not s.confidential]) >= 3
    assert [s for s in mine if s.confidential]
    shared = [s for s in mine if s.kind == "partner"]
    assert len(shared) == 1
    assert spaces("partenaire") == shared


@pytest.mark.django_db
def test_accounts_added_to_a_demo_do_not_make_it_someone_else_s(make_person: Any) -> None:
    """A directory's SCIM test against the demo adds accounts: the demo is still reused."""
    from rucher.commands.demo import _existing_data

    make_person(username="employe", is_demo=True)
    make_person(username="venu.par.scim")
    assert _existing_data() == "demo"


@pytest.mark.django_db
def test_demo_refuses_a_database_with_real_people(make_person: Any) -> None:
    make_person(username="vraie.personne")
    code, output = run(*SMALL)
    assert code == 2
    assert "non-demo" in output
    assert Person.objects.count() == 1 and not Content.objects.exists()


@pytest.mark.django_db
def test_demo_serves_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[str, int, bool]] = []

    def serve(host: str, port: int, task_worker: bool = True) -> None:
        served.append((host, port, task_worker))

    monkeypatch.setattr(demo, "serve_forever", serve)
    scoring: list[bool] = []
    monkeypatch.setattr(demo, "score_sentiment_beside", lambda: scoring.append(True))
    code, output = run("--people", "60", "--items", "600", "--port", "8123")
    assert code == 0, output
    # Serving, the sentiment is scored beside the server, not before it.
    assert scoring == [True] and "scored in the background" in output
    assert not ContentSentiment.objects.exists()
    code, output = run("--port", "8124", "--no-worker")
    assert code == 0, output
    assert served == [("127.0.0.1", 8123, True), ("127.0.0.1", 8124, False)]


@pytest.mark.django_db
def test_full_demo_builds_the_whole_organisation() -> None:
    # How long it takes is measured, not asserted (tests never assert on wall-clock time):
    # ~12 s on an idle machine, docs/performance.md.
    code, output = run("--no-serve")
    assert code == 0, output
    # Not serving, the sentiment is scored before the command ends.
    assert ContentSentiment.objects.count() >= 10_000
    assert Person.objects.count() >= 500
    assert Content.objects.count() + Reaction.objects.count() >= 20_000
    assert Space.objects.count() >= 30
    assert Poll.objects.filter(kind="nps").get().votes.count() >= 50

"""Erasing a member: nothing of who they were is left in any table (introspected, so a table
added later is scanned too), what the organisation keeps is kept under a pseudonym, and the
last administrator cannot be erased."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from rucher.activity.models import Event
from rucher.activity.tasks import LeasedWorker
from rucher.audit.models import AuditEntry
from rucher.audit.verify import verify
from rucher.conversations import actions as conversations
from rucher.conversations.models import Content, Reaction
from rucher.errors import Conflict, Forbidden, Invalid
from rucher.moderation import actions as moderation
from rucher.moderation.queries import ItemRef
from rucher.people import actions as people
from rucher.people.models import AccessToken, Person
from rucher.privacy import actions as privacy
from rucher.privacy.models import DataExport
from rucher.streams import actions as streams

PROFILE = {
    "first_name": "Zéphyrine",
    "last_name": "Quillardeau",
    "email": "zephyrine.quillardeau@exemple.org",
    "job_title": "Cheffe apicoltrice",
    "bio": "Passionnée de ruches urbaines sur les toits de Lyonnaisville",
    "languages": "fr,oc",
}
SKILL = "apiculture-urbaine-zq"


def run_worker() -> None:
    LeasedWorker(lease=timedelta(minutes=5), interval=0.01, worker_id="test").serve(once=True)


def traces(values: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, value) for every column of every table holding one of ``values``
    (case-insensitive), read through the database's own catalogue."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                for value in values:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quote(table)} "
                        f"WHERE LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s",
                        [f"%{value.lower()}%"],
                    )
                    if cursor.fetchone()[0]:
                        found.append((table, column.name, value))
    return found


@pytest.fixture
def zephyrine(world: dict[str, Any], make_person: Any, django_capture_on_commit_callbacks: Any):
    """A member who did a bit of everything, with every after-commit task run."""
    person = make_person(username="zquillard", **PROFILE)
    bob, alice = world["bob"], world["alice"]
    open_space = world["open"]
    with django_capture_on_commit_callbacks(execute=True):
        from rucher.spaces.actions import join_space

        join_space(person, open_space)
        people.update_profile(person, skills=[SKILL], expertise=[SKILL])
        post = conversations.publish(person, open_space, "Mon premier message sur les abeilles")
        conversations.reply(bob, post, "Bravo @zquillard, merci")
        mention = conversations.publish(bob, open_space, "Voyez avec @zquillard pour le miel")
        conversations.react(person, mention, "like")
        poll = conversations.create_poll(alice, open_space, "Quel miel ?", ["Acacia", "Lavande"])
        conversations.vote(person, poll, option_id=poll.poll.options.first().pk)
        streams.follow(person, "person", bob.pk)
        streams.follow(bob, "person", person.pk)
        people.create_token(person, "script")
        moderation.flag(bob, ItemRef("person", person.pk), "spam")
        privacy.update_privacy(person, fields={"email": "nobody"})
    # A browser session, a sign-in (the audit trail's signed_in) and a failed one.
    Client().login(username="zquillard", password="demo")
    browser = Client()
    browser.force_login(person)
    browser.post("/login/", {"username": "zquillard", "password": "wrong"})
    with django_capture_on_commit_callbacks(execute=True):
        privacy.request_export(person)
    run_worker()
    assert DataExport.objects.get(person=person).status == DataExport.Status.READY
    return {"person": person, "post": post, "mention": mention, "browser": browser}


def identity(person: Person) -> list[str]:
    return [
        person.username,
        person.email,
        person.first_name,
        person.last_name,
        person.job_title,
        person.bio,
        SKILL,
    ]


@pytest.mark.django_db(transaction=True)
def test_an_erased_member_leaves_no_trace_in_any_table(
    world: dict[str, Any], zephyrine: dict[str, Any]
) -> None:
    person = zephyrine["person"]
    values = identity(person)
    assert {value for _t, _c, value in traces(values)} >= set(values)  # the scan sees them
    old_id = person.pk
    pseudonym = privacy.erase_person(world["admin"], person, confirm="zquillard")
    run_worker()
    assert traces(values) == []
    assert not Person.objects.filter(pk=old_id).exists()
    # Kept, attributed to "former member"; their reactions and the mentions of them gone.
    post = Content.objects.get(pk=zephyrine["post"].pk)
    assert post.author_id == pseudonym.pk
    with translation.override("en"):
        assert post.author.display_name == "former member"
    with translation.override("fr"):
        assert post.author.display_name == "ancien membre"
    assert not Reaction.objects.filter(person_id=old_id).exists()
    assert "@zquillard" not in Content.objects.get(pk=zephyrine["mention"].pk).text
    assert zephyrine["mention"].mentions.count() == 0
    # Events kept for the insights under the pseudonym; none under the old id.
    assert Event.objects.filter(actor_id=pseudonym.pk, verb="posted").exists()
    assert not Event.objects.filter(actor_id=old_id).exists()
    assert not Event.objects.filter(target_id=old_id).exists()
    # Signed out and tokens gone; the audit trail intact and says so, by id.
    assert not AccessToken.objects.filter(person_id=old_id).exists()
    assert zephyrine["browser"].get("/").status_code == 302
    assert verify().intact
    assert AuditEntry.objects.filter(action="erased_person", object_id=old_id).exists()


@pytest.mark.django_db
def test_a_member_erases_themselves_and_only_with_the_confirmation(world: dict[str, Any]) -> None:
    bob = world["bob"]
    with pytest.raises(Invalid):
        privacy.erase_person(bob, bob, confirm="bobby")
    with pytest.raises(Forbidden):
        privacy.erase_person(world["carol"], bob, confirm="bob")
    assert Person.objects.filter(pk=bob.pk).exists()
    privacy.erase_person(bob, bob, confirm="bob")
    assert not Person.objects.filter(username="bob").exists()


@pytest.mark.django_db
def test_the_last_administrator_cannot_be_erased(world: dict[str, Any]) -> None:
    admin = world["admin"]
    with pytest.raises(Conflict, match=r"last administrator|dernier administrateur"):
        privacy.erase_person(admin, admin, confirm="admin")
    assert Person.objects.filter(pk=admin.pk, is_active=True).exists()


@pytest.mark.django_db
def test_content_is_erased_when_the_organisation_says_so(
    world: dict[str, Any], settings: Any
) -> None:
    settings.RUCHER_ERASURE_CONTENT = "erase"
    bob = world["bob"]
    post = conversations.publish(bob, world["open"], "Un texte à effacer")
    reply = conversations.reply(world["alice"], post, "Une réponse qui reste")
    privacy.erase_person(bob, bob, confirm="bob")
    post.refresh_from_db()
    assert post.text == "" and post.status == Content.Status.DELETED
    assert Content.objects.get(pk=reply.pk).text == "Une réponse qui reste"


@pytest.mark.django_db
def test_the_command_erases_and_refuses_clearly(world: dict[str, Any]) -> None:
    from click.testing import CliRunner

    from rucher.cli import main

    runner = CliRunner()
    unconfirmed = runner.invoke(main, ["people", "erase", "bob"])
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.output
    assert runner.invoke(main, ["people", "erase", "nobody", "--yes"]).exit_code == 2
    last = runner.invoke(main, ["people", "erase", "admin", "--yes"])
    assert last.exit_code == 2 and "dernier administrateur" in last.output  # LANGUAGE_CODE fr
    assert Person.objects.filter(username="admin").exists()
    done = runner.invoke(main, ["people", "erase", "bob", "--yes"])
    assert done.exit_code == 0, done.output
    assert not Person.objects.filter(username="bob").exists()
    entry = AuditEntry.objects.get(action="erased_person")
    assert entry.actor_label.startswith("cli") and entry.detail["by"] == "operator"

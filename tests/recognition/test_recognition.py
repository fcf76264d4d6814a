"""Kudos and badges (docs/recognition.md): who may give what to whom, who sees it, badges
from explainable rules over the event log, awarded once, hidden on request, told by the
notifications, erased with their member."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from rucher.activity.models import Event
from rucher.conversations import actions as conversations
from rucher.errors import ActionError, Forbidden, Invalid, NotFound
from rucher.notifications import fanout
from rucher.notifications.models import Kind, Notification
from rucher.notifications.queries import page as notification_page
from rucher.recognition import actions, queries
from rucher.recognition.awarding import backfill, evaluate
from rucher.recognition.models import BadgeAward, BadgeRule, Kudos
from rucher.recognition.rules import tally

pytestmark = pytest.mark.django_db
JSON = "application/json"


def rule(slug: str) -> BadgeRule:
    return BadgeRule.objects.get(slug=slug)


# --- giving kudos ---------------------------------------------------------------------------


def test_kudos_is_written_with_one_event(world: dict[str, Any]) -> None:
    kudos = actions.give_kudos(world["alice"], world["bob"].pk, "merci", "  Merci pour tout  ")
    assert kudos.message == "Merci pour tout"
    event = Event.objects.get(verb="gave_kudos")
    assert (event.actor_id, event.target_id, event.object_id) == (
        world["alice"].pk,
        world["bob"].pk,
        kudos.pk,
    )


@pytest.mark.parametrize(
    ("recipient", "kind", "message", "error"),
    [
        ("alice", "merci", "Moi-même", Invalid),  # oneself
        ("bob", "inconnu", "Merci", Invalid),  # unknown kind
        ("bob", "", "Merci", Invalid),
        ("bob", "merci", "   ", Invalid),  # empty
        ("bob", "merci", "x" * 281, Invalid),  # too long
        ("bob", "merci", "a\x00b", Invalid),
    ],
)
def test_bad_kudos_are_refused_with_a_reason(
    world: dict[str, Any], recipient: str, kind: str, message: str, error: type[ActionError]
) -> None:
    with pytest.raises(error) as refused:
        actions.give_kudos(world["alice"], world[recipient].pk, kind, message)
    assert refused.value.message
    assert not Kudos.objects.exists()


def test_a_switched_off_kind_is_refused(world: dict[str, Any]) -> None:
    actions.save_kudos_kind(
        world["cm"],
        kind_id=rule_kind("bravo"),
        label_fr="Bravo",
        label_en="Well done",
        active=False,
    )
    with pytest.raises(Invalid):
        actions.give_kudos(world["alice"], world["bob"].pk, "bravo", "Bravo")


def rule_kind(slug: str) -> int:
    from rucher.recognition.models import KudosKind

    return int(KudosKind.objects.get(slug=slug).pk)


def test_a_guest_gives_kudos_only_to_people_of_their_spaces(world: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        actions.give_kudos(world["gus"], world["bob"].pk, "merci", "Merci")
    actions.give_kudos(world["gus"], world["alice"].pk, "merci", "Merci Alice")  # shares a space
    with pytest.raises(NotFound):  # carol shares no space with gus
        actions.give_kudos(world["gus"], world["carol"].pk, "merci", "Merci")
    actions.give_kudos(world["bob"], world["gus"].pk, "merci", "Merci Gus")  # employees see guests


def test_kudos_in_a_space_needs_a_space_both_may_use(world: dict[str, Any]) -> None:
    # bob is not a member of the private space: it is known, but not postable
    with pytest.raises(Forbidden):
        actions.give_kudos(
            world["bob"], world["alice"].pk, "merci", "M", space_id=world["private"].pk
        )
    with pytest.raises(NotFound):  # secret: bob does not know it
        actions.give_kudos(
            world["bob"], world["alice"].pk, "merci", "M", space_id=world["secret"].pk
        )
    with pytest.raises(Invalid):  # confidential
        actions.give_kudos(
            world["carol"], world["alice"].pk, "merci", "M", space_id=world["confidential"].pk
        )
    with pytest.raises(Invalid):  # bob cannot read the private space
        actions.give_kudos(
            world["carol"], world["bob"].pk, "merci", "M", space_id=world["private"].pk
        )
    kudos = actions.give_kudos(
        world["alice"], world["bob"].pk, "merci", "M", space_id=world["open"].pk
    )
    assert kudos.space == world["open"]


# --- who sees kudos -------------------------------------------------------------------------


def test_kudos_in_a_private_space_is_seen_only_by_its_readers(world: dict[str, Any]) -> None:
    actions.give_kudos(
        world["alice"], world["carol"].pk, "merci", "Privé", space_id=world["private"].pk
    )
    actions.give_kudos(world["alice"], world["carol"].pk, "bravo", "Public")
    seen = {
        name: [k.message for k in queries.received(world[name], world["carol"])]
        for name in ("alice", "bob", "carol", "cm")
    }
    assert seen["carol"] == ["Public", "Privé"] and seen["alice"] == ["Public", "Privé"]
    assert seen["bob"] == ["Public"] and seen["cm"] == ["Public"]
    assert [k.message for k in queries.in_space(world["bob"], world["private"])] == []
    assert [k.message for k in queries.in_space(world["carol"], world["private"])] == ["Privé"]


def test_a_guest_sees_no_kudos_between_people_they_cannot_see(world: dict[str, Any]) -> None:
    actions.give_kudos(world["bob"], world["alice"].pk, "merci", "De Bob")
    actions.give_kudos(world["gus"], world["alice"].pk, "merci", "De Gus")
    assert [k.message for k in queries.received(world["gus"], world["alice"])] == ["De Gus"]
    assert [k.message for k in queries.received(world["bob"], world["alice"])] == [
        "De Gus",
        "De Bob",
    ]


def test_profile_kudos_cost_one_query(
    world: dict[str, Any], django_assert_num_queries: Callable[..., Any]
) -> None:
    for n in range(5):
        actions.give_kudos(world["alice"], world["bob"].pk, "merci", f"Merci {n}")
    with django_assert_num_queries(1):
        found = queries.received(world["carol"], world["bob"])
        assert [k.label for k in found]  # type: ignore[attr-defined]
        assert [k.giver.display_name for k in found]


# --- badges ---------------------------------------------------------------------------------


def _answer_accepted(world: dict[str, Any], n: int) -> None:
    question = conversations.publish(
        world["alice"], world["open"], f"Question {n} ?", kind="question"
    )
    answer = conversations.reply(world["bob"], question, f"Réponse {n}")
    conversations.accept_answer(world["alice"], answer)


def test_badges_are_explainable_counts_awarded_once(world: dict[str, Any]) -> None:
    _answer_accepted(world, 1)
    assert tally("accepted_answers", [world["bob"].pk])[world["bob"].pk].count == 1
    assert backfill() >= 1
    award = BadgeAward.objects.get(person=world["bob"], rule=rule("premiere-reponse-acceptee"))
    assert award.count == 1 and award.spaces == [world["open"].pk]
    assert backfill() == 0  # idempotent
    with translation.override("fr"):
        shown = {b.slug: b.why for b in queries.badges(world["carol"], world["bob"])}
    why = shown["premiere-reponse-acceptee"]
    assert why.startswith("Décerné le ") and "1 réponse acceptée dans Ouvert" in why
    # The event for the insights: the earner is the actor.
    event = Event.objects.get(verb="earned_badge", object_id=award.pk)
    assert event.actor_id == world["bob"].pk


def test_accepting_ones_own_answer_earns_nothing(world: dict[str, Any]) -> None:
    question = conversations.publish(world["alice"], world["open"], "Q ?", kind="question")
    answer = conversations.reply(world["alice"], question, "Moi")
    conversations.accept_answer(world["alice"], answer)
    assert tally("accepted_answers") == {}


def test_the_worker_awards_after_the_event_and_a_switched_off_rule_awards_nothing(
    world: dict[str, Any],
) -> None:
    post = conversations.publish(world["alice"], world["open"], "Premier message")
    assert post is not None
    event = Event.objects.filter(verb="posted", actor_id=world["alice"].pk).latest("id")
    assert evaluate(event) == 1
    assert evaluate(event) == 0  # a retried task
    assert BadgeAward.objects.filter(person=world["alice"], rule=rule("premier-message")).exists()
    first = rule("premier-message")
    actions.save_badge_rule(
        world["cm"],
        rule_id=first.pk,
        behaviour="posts",
        threshold=1,
        name_fr=first.name_fr,
        name_en=first.name_en,
        enabled=False,
    )
    conversations.publish(world["bob"], world["open"], "Moi aussi")
    event = Event.objects.filter(verb="posted", actor_id=world["bob"].pk).latest("id")
    assert evaluate(event) == 0


def test_a_rule_switched_on_is_counted_over_the_whole_log(world: dict[str, Any]) -> None:
    for n in range(3):
        conversations.reply(
            world["bob"],
            conversations.publish(world["alice"], world["open"], f"Q{n} ?", kind="question"),
            f"R{n}",
        )
    made = actions.save_badge_rule(
        world["cm"], behaviour="answers", threshold=3, name_fr="Trois", name_en="Three"
    )
    change = Event.objects.filter(verb="changed_recognition").latest("id")
    assert evaluate(change) == 1
    assert BadgeAward.objects.get(rule=made).person == world["bob"]


def test_welcoming_newcomers_counts_distinct_people_in_their_first_month(
    world: dict[str, Any], make_person: Callable[..., Any]
) -> None:
    newcomers = [make_person(username=f"new{n}") for n in range(2)]
    for person in newcomers:
        conversations.join_space(person, world["open"]) if hasattr(
            conversations, "join_space"
        ) else None
    from rucher.spaces.actions import join_space

    for person in newcomers:
        join_space(person, world["open"])
        post = conversations.publish(person, world["open"], "Bonjour à tous")
        conversations.reply(world["bob"], post, "Bienvenue !")
        conversations.react(world["bob"], post, "like")  # the same person: counted once
    assert tally("welcomed_newcomers", [world["bob"].pk])[world["bob"].pk].count == 2


def test_hidden_badges_are_seen_only_by_their_holder(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    conversations.publish(world["bob"], world["open"], "Bonjour")
    backfill()
    assert queries.badges(world["alice"], world["bob"])
    actions.set_badges_hidden(world["bob"], True)
    assert queries.badges(world["alice"], world["bob"]) == []
    assert queries.badges(world["bob"], world["bob"])
    answer = client_for(world["alice"]).get(f"/api/v1/badges?person={world['bob'].pk}")
    assert answer.status_code == 200 and answer.json() == []


# --- notifications --------------------------------------------------------------------------


def test_kudos_and_badges_are_notified(world: dict[str, Any]) -> None:
    actions.give_kudos(world["alice"], world["bob"].pk, "merci", "Merci")
    actions.give_kudos(world["carol"], world["bob"].pk, "bravo", "Bravo")
    for event in Event.objects.filter(verb="gave_kudos").order_by("id"):
        fanout.notify(event)
    conversations.publish(world["bob"], world["open"], "Bonjour")
    backfill()
    for event in Event.objects.filter(verb="earned_badge"):
        fanout.notify(event)
        fanout.notify(event)  # a second delivery writes nothing more
    assert Notification.objects.filter(recipient=world["bob"], kind=Kind.KUDOS).count() == 1
    assert Notification.objects.filter(recipient=world["bob"], kind=Kind.BADGE).count() == 1
    with translation.override("fr"):
        texts = [item.text for item in notification_page(world["bob"]).items]
    assert "Carol Test et Alice Test vous ont envoyé des remerciements" in texts, texts
    assert any("Premier message" in t for t in texts), texts


def test_a_muted_giver_tells_nothing(world: dict[str, Any]) -> None:
    from rucher.streams.actions import mute

    mute(world["bob"], "person", world["alice"].pk)
    actions.give_kudos(world["alice"], world["bob"].pk, "merci", "Merci")
    assert fanout.notify(Event.objects.get(verb="gave_kudos")) == []


# --- managers -------------------------------------------------------------------------------


def test_only_managers_edit_the_lists(world: dict[str, Any]) -> None:
    for name in ("bob", "gus"):
        with pytest.raises(Forbidden):
            actions.save_kudos_kind(world[name], label_fr="A", label_en="B")
    kind = actions.save_kudos_kind(
        world["admin"], label_fr="Chapeau", label_en="Hats off", symbol="🎩"
    )
    assert kind.slug == "hats-off"
    with pytest.raises(Invalid):
        actions.save_badge_rule(
            world["cm"], behaviour="reactions_received", threshold=1, name_fr="X", name_en="X"
        )
    with pytest.raises(Invalid):
        actions.save_badge_rule(
            world["cm"], behaviour="posts", threshold=0, name_fr="X", name_en="X"
        )


# --- erasure --------------------------------------------------------------------------------


def test_erasure_keeps_kudos_given_and_removes_what_was_received(world: dict[str, Any]) -> None:
    from rucher.privacy.actions import erase_person

    actions.give_kudos(world["bob"], world["alice"].pk, "merci", "Donné par Bob")
    actions.give_kudos(world["alice"], world["bob"].pk, "merci", "Reçu par Bob")
    conversations.publish(world["bob"], world["open"], "Bonjour")
    backfill()
    bob_pk = world["bob"].pk
    erase_person(world["admin"], world["bob"], confirm="bob")
    assert not BadgeAward.objects.filter(person_id=bob_pk).exists()
    assert not Kudos.objects.filter(recipient_id=bob_pk).exists()
    kept = Kudos.objects.get(message="Donné par Bob")
    assert kept.giver_id != bob_pk and kept.giver.username.startswith("former-member-")


# --- the API's answers to bad input, the command ----------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"recipient_id": "me", "kind": "merci", "message": "Moi"}, 422, "vous-même"),
        ({"kind": "inconnu", "message": "Merci"}, 422, "type de remerciement inconnu"),
        ({"kind": "merci", "message": "  "}, 422, "message"),
        ({"kind": "merci", "message": "x" * 281}, 422, "280"),
        ({"giver": "gus", "kind": "merci", "message": "Merci"}, 404, "introuvable"),
        ({"recipient_id": True, "kind": "merci", "message": "Merci"}, 422, ""),
    ],
)
def test_bad_kudos_over_the_api_are_4xx_with_a_reason(
    world: dict[str, Any],
    client_for: Callable[[Any], Client],
    body: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    sent = {"recipient_id": world["bob"].pk, **body}
    giver = world[sent.pop("giver", "carol")]  # gus, a guest, may not see bob
    if sent["recipient_id"] == "me":
        sent["recipient_id"] = giver.pk
    answer = client_for(giver).post("/api/v1/kudos", sent, content_type=JSON)
    assert answer.status_code == status, answer.json()
    assert detail in str(answer.json()["detail"])
    assert not Kudos.objects.exists()


def test_the_web_form_says_why_and_keeps_the_text(
    world: dict[str, Any], client_for: Callable[[Any], Client]
) -> None:
    client = client_for(world["alice"])
    answer = client.post(
        f"/people/{world['bob'].pk}/kudos/", {"kind": "inconnu", "message": "Gardé"}
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "type de remerciement inconnu" in page and "Gardé" in page
    assert client.get(f"/people/{world['alice'].pk}/kudos/").status_code == 404  # oneself


def test_the_backfill_command(world: dict[str, Any]) -> None:
    from click.testing import CliRunner

    from rucher.cli import main

    conversations.publish(world["bob"], world["open"], "Bonjour")
    runner = CliRunner()
    done = runner.invoke(main, ["badges", "award", "--quiet"])
    assert done.exit_code == 0, done.output
    assert "1 badges awarded" in done.output
    again = runner.invoke(main, ["badges", "award", "-q", "--rule", "premier-message"])
    assert again.exit_code == 0 and "0 badges awarded" in again.output
    unknown = runner.invoke(main, ["badges", "award", "--rule", "nope"])
    assert unknown.exit_code == 2 and "unknown badge rule: nope" in unknown.output


def test_the_worker_counts_nothing_once_the_badges_are_held(
    world: dict[str, Any], django_assert_num_queries: Callable[..., Any]
) -> None:
    assert rule("premier-message").enabled
    conversations.publish(world["bob"], world["open"], "Un")
    evaluate(Event.objects.filter(verb="posted").latest("id"))
    conversations.publish(world["bob"], world["open"], "Deux")
    second = Event.objects.filter(verb="posted").latest("id")
    with django_assert_num_queries(2):  # the rules, the badges held
        assert evaluate(second) == 0


def test_the_data_export_carries_kudos_and_badges(world: dict[str, Any]) -> None:
    from rucher.privacy.export import data_of

    actions.give_kudos(world["alice"], world["bob"].pk, "merci", "Pour Bob")
    actions.give_kudos(world["bob"], world["alice"].pk, "bravo", "Pour Alice")
    conversations.publish(world["bob"], world["open"], "Bonjour")
    backfill()
    actions.set_badges_hidden(world["bob"], True)
    data = data_of(world["bob"])
    assert [k["message"] for k in data["kudos_received"]] == ["Pour Bob"]
    assert [k["message"] for k in data["kudos_given"]] == ["Pour Alice"]
    assert [b["badge"] for b in data["badges"]] == ["Premier message"]
    assert data["badges_hidden"] is True

"""Decisions: hide, restore, delete, edit with a note, warn, suspend, dismiss, in bulk; who may
decide where (404 outside what one sees, 403 where one sees but does not moderate)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rucher.activity.models import Event
from rucher.conversations import actions as conversations
from rucher.conversations.models import Content, Revision
from rucher.errors import Conflict, Forbidden, Invalid, NotFound
from rucher.moderation import actions
from rucher.moderation.models import Flag, FlaggedItem, ModerationDecision
from rucher.moderation.queries import ItemRef, review_queue
from rucher.spaces.actions import create_space
from rucher.spaces.models import Membership
from rucher.streams.queries import build_home, space_stream

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """The English source messages are asserted (tests/moderation/test_web.py: French)."""
    settings.LANGUAGE_CODE = "en"


def on(content: Any) -> ItemRef:
    return ItemRef("content", content.pk)


@pytest.fixture
def flagged(world: dict[str, Any]) -> Content:
    """bob's post in the open space, flagged by carol (who reads it without being a member)."""
    post = conversations.publish(world["bob"], world["open"], "Venez acheter mes crêpes")
    actions.flag(world["carol"], on(post), "spam")
    return post


def test_hide_takes_it_out_of_every_list_but_the_author_and_moderators_see_it(
    world: dict[str, Any], flagged: Content, client_for: Any
) -> None:
    actions.decide(world["alice"], [on(flagged)], "hide", "Publicité")
    flagged.refresh_from_db()
    assert flagged.status == "hidden"
    for reader in (world["alice"], world["bob"], world["carol"], world["cm"]):
        assert flagged.pk not in [i.pk for i in build_home(reader).items]
        assert flagged.pk not in [i.pk for i in space_stream(reader, world["open"].pk).items]
        assert not Content.objects.visible_to(reader).filter(pk=flagged.pk).exists()
    # The content page: the author and the moderators see it marked; others get a 404.
    for reader, status in (
        (world["bob"], 200),
        (world["alice"], 200),
        (world["cm"], 200),
        (world["carol"], 404),
        (world["admin"], 200),  # an administrator manages and reads the open space
    ):
        answer = client_for(reader).get(f"/posts/{flagged.pk}/")
        assert answer.status_code == status, reader
        if status == 200:
            assert "Hidden by moderation" in answer.content.decode()


def test_hidden_content_is_absent_from_the_api_for_everyone(
    world: dict[str, Any], flagged: Content
) -> None:
    from django.test import Client

    from rucher.people.actions.tokens import create_token

    actions.decide(world["alice"], [on(flagged)], "hide", "Publicité")
    for reader in (world["bob"], world["carol"], world["alice"]):
        _row, raw = create_token(reader, "t")
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        assert client.get(f"/api/v1/posts/{flagged.pk}").status_code == 404
        home = client.get("/api/v1/streams/home").json()["items"]
        assert flagged.pk not in [i["id"] for i in home]
        space = client.get(f"/api/v1/spaces/{world['open'].pk}/stream").json()["items"]
        assert flagged.pk not in [i["id"] for i in space]


def test_a_hidden_comment_leaves_the_count_and_comes_back_on_restore(
    world: dict[str, Any],
) -> None:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    comment = conversations.reply(world["bob"], post, "Hors sujet")
    actions.flag(world["alice"], on(comment), "off_topic")
    actions.decide(world["alice"], [on(comment)], "hide", "Hors sujet")
    post.refresh_from_db()
    assert post.comment_count == 0
    actions.decide(world["alice"], [on(comment)], "restore", "Après réflexion")
    post.refresh_from_db()
    assert post.comment_count == 1
    with pytest.raises(Conflict, match="not hidden"):
        actions.decide(world["alice"], [on(comment)], "restore", "Encore")


def test_delete_is_the_soft_delete_and_a_deleted_item_is_not_found(
    world: dict[str, Any], flagged: Content
) -> None:
    actions.decide(world["alice"], [on(flagged)], "delete", "Publicité")
    flagged.refresh_from_db()
    assert (flagged.status, flagged.deleted_by_id) == ("deleted", world["alice"].pk)
    with pytest.raises(NotFound):
        actions.decide(world["alice"], [on(flagged)], "hide", "Encore")
    # Restorable for 30 days from the moderation page, as any deleted content.
    assert Content.objects.filter(pk=flagged.pk).restorable_by(world["alice"]).exists()


def test_edit_with_a_note_keeps_the_history(
    world: dict[str, Any], flagged: Content, client_for: Any
) -> None:
    actions.decide(
        world["alice"],
        [on(flagged)],
        "edit",
        "Lien commercial retiré",
        text="Venez goûter mes crêpes",
        note="lien retiré",
    )
    flagged.refresh_from_db()
    assert flagged.text == "Venez goûter mes crêpes"
    assert flagged.moderation_note == "lien retiré"
    revision = Revision.objects.get(content=flagged)
    assert (revision.text, revision.edited_by_id) == (
        "Venez acheter mes crêpes",
        world["alice"].pk,
    )
    page = client_for(world["carol"]).get(f"/posts/{flagged.pk}/").content.decode()
    assert "edited by moderation: lien retiré" in page


def test_warn_is_recorded_and_shown_to_the_author(
    world: dict[str, Any], flagged: Content, client_for: Any
) -> None:
    actions.decide(world["alice"], [on(flagged)], "warn", "Publicité", note="Pas de pub ici")
    warning = ModerationDecision.objects.get(decision="warn")
    assert (warning.author_id, warning.note) == (world["bob"].pk, "Pas de pub ici")
    page = client_for(world["bob"]).get("/settings/").content.decode()
    assert "Pas de pub ici" in page
    assert "Pas de pub ici" not in client_for(world["carol"]).get("/settings/").content.decode()


def test_suspension_refuses_posts_replies_and_reactions_then_lifts_when_it_ends(
    world: dict[str, Any], flagged: Content, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    other = conversations.publish(world["alice"], world["open"], "Un message d'alice")
    actions.decide(world["alice"], [on(flagged)], "suspend", "Publicité répétée", period="7d")
    member = Membership.objects.get(person=world["bob"], space=world["open"])
    assert member.suspended_until is not None
    assert timedelta(days=6) < member.suspended_until - timezone.now() <= timedelta(days=7)
    with pytest.raises(Forbidden, match="suspended from this space until"):
        conversations.publish(world["bob"], world["open"], "Encore")
    with pytest.raises(Forbidden, match="suspended"):
        conversations.reply(world["bob"], other, "Encore")
    with pytest.raises(Forbidden, match="suspended"):
        conversations.react(world["bob"], other, "like")
    # Elsewhere bob is free: the suspension is from this space only.
    elsewhere = create_space(world["bob"], "Ailleurs")
    conversations.publish(world["bob"], elsewhere, "Ici ça va")
    # Once the period is over, nothing needs to lift it.
    Membership.objects.filter(pk=member.pk).update(
        suspended_until=timezone.now() - timedelta(seconds=1)
    )
    conversations.publish(world["bob"], world["open"], "De retour")
    conversations.react(world["bob"], other, "like")


def test_until_lifted_lasts_until_a_moderator_lifts_it(
    world: dict[str, Any], flagged: Content, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    actions.decide(world["alice"], [on(flagged)], "suspend", "Récidive", period="lifted")
    with pytest.raises(Forbidden, match="until a moderator lifts it"):
        conversations.publish(world["bob"], world["open"], "Encore")
    with pytest.raises(Forbidden):
        actions.lift_suspension(world["bob"], world["open"], world["bob"], "Je me gracie")
    actions.lift_suspension(world["alice"], world["open"], world["bob"], "Excuses reçues")
    conversations.publish(world["bob"], world["open"], "Merci")
    with pytest.raises(Conflict):
        actions.lift_suspension(world["alice"], world["open"], world["bob"], "Encore")


def test_dismiss_closes_the_flags_and_a_second_decision_is_a_conflict(
    world: dict[str, Any], flagged: Content
) -> None:
    actions.decide(world["alice"], [on(flagged)], "dismiss", "Rien à redire")
    assert not Flag.objects.filter(status="open").exists()
    assert FlaggedItem.objects.get(content=flagged).status == "closed"
    assert review_queue(world["alice"]).entries == []
    with pytest.raises(Conflict, match="already decided"):
        actions.decide(world["alice"], [on(flagged)], "hide", "Finalement")


def test_each_decision_appends_one_moderated_event_naming_the_author(
    world: dict[str, Any], flagged: Content
) -> None:
    (row,) = actions.decide(world["alice"], [on(flagged)], "hide", "Publicité")
    event = Event.objects.get(verb="moderated")
    assert (event.object_type, event.object_id, event.target_id, event.space_id) == (
        "post",
        flagged.pk,
        world["bob"].pk,
        world["open"].pk,
    )
    assert row.event_id == event.pk
    assert (row.moderator_id, row.reason, row.decision) == (world["alice"].pk, "Publicité", "hide")


def test_bulk_decides_every_item_or_none(world: dict[str, Any]) -> None:
    posts = [conversations.publish(world["bob"], world["open"], f"Pub {i}") for i in range(3)]
    secret = conversations.publish(world["carol"], world["secret"], "Secret")
    for post in posts:
        actions.flag(world["alice"], on(post), "spam")
    actions.flag(world["alice"], on(secret), "spam")
    # cm moderates the open space but cannot see the secret one: nothing is written.
    with pytest.raises(NotFound):
        actions.decide(world["cm"], [*map(on, posts), on(secret)], "hide", "Publicité")
    assert not ModerationDecision.objects.exists()
    assert Content.objects.filter(status="hidden").count() == 0
    rows = actions.decide(world["cm"], [on(p) for p in posts], "hide", "Publicité")
    assert len(rows) == 3
    assert Event.objects.filter(verb="moderated").count() == 3
    assert Content.objects.filter(status="hidden").count() == 3
    with pytest.raises(Invalid, match="twice"):
        actions.decide(world["cm"], [on(posts[0]), on(posts[0])], "warn", "x")


def test_who_decides_where(world: dict[str, Any], make_person: Any, make_space: Any) -> None:
    dave = make_person(username="dave")
    elsewhere = make_space(dave, "A")  # dave manages space A, and nothing else
    open_post = conversations.publish(world["bob"], world["open"], "Ouvert")
    secret_post = conversations.publish(world["carol"], world["secret"], "Secret")
    actions.flag(world["alice"], on(open_post), "spam")
    actions.flag(world["alice"], on(secret_post), "spam")
    # A manager of space A sees the open space's post but does not moderate it: 403.
    with pytest.raises(Forbidden):
        actions.decide(dave, [on(open_post)], "hide", "x")
    # The secret space does not exist for dave, nor for the community manager: 404.
    with pytest.raises(NotFound):
        actions.decide(dave, [on(secret_post)], "hide", "x")
    with pytest.raises(NotFound):
        actions.decide(world["cm"], [on(secret_post)], "hide", "x")
    # Unknown items and a member who does not moderate.
    with pytest.raises(NotFound):
        actions.decide(world["alice"], [ItemRef("content", 987_654)], "hide", "x")
    with pytest.raises(Forbidden):
        actions.decide(world["bob"], [on(open_post)], "dismiss", "x")
    assert elsewhere.pk  # dave's own space stays his
    # Profiles: community-manager accounts only.
    actions.flag(world["alice"], ItemRef("person", world["bob"].pk), "inappropriate")
    with pytest.raises(Forbidden):
        actions.decide(world["alice"], [ItemRef("person", world["bob"].pk)], "warn", "x")
    with pytest.raises(Invalid):
        actions.decide(world["cm"], [ItemRef("person", world["bob"].pk)], "hide", "x")
    actions.decide(world["cm"], [ItemRef("person", world["bob"].pk)], "warn", "Photo")


@pytest.mark.parametrize(
    ("decision", "reason", "extra", "message"),
    [
        ("ban", "x", {}, "decision must be one of hide, restore, delete, edit, warn"),
        ("lift", "x", {}, "decision must be one of"),
        ("hide", "", {}, "reason cannot be empty"),
        ("hide", None, {}, "reason must be a string"),
        ("suspend", "x", {"period": "2d"}, "period must be one of 1d, 7d, 30d, lifted"),
        ("suspend", "x", {}, "period must be one of"),
        ("edit", "x", {}, "new text must be a string"),
        ("edit", "x", {"text": " "}, "new text cannot be empty"),
    ],
)
def test_bad_decisions_are_refused_and_write_nothing(
    world: dict[str, Any],
    flagged: Content,
    settings: Any,
    decision: str,
    reason: Any,
    extra: dict[str, Any],
    message: str,
) -> None:
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(Invalid, match=message):
        actions.decide(world["alice"], [on(flagged)], decision, reason, **extra)
    assert not ModerationDecision.objects.exists()
    assert FlaggedItem.objects.get(content=flagged).status == "open"


def test_a_suspension_needs_a_space(world: dict[str, Any]) -> None:
    post = conversations.publish(world["bob"], None, "Sur mon profil")
    actions.flag(world["alice"], on(post), "spam")
    with pytest.raises(Invalid, match="space"):
        actions.decide(world["cm"], [on(post)], "suspend", "x", period="1d")


def test_a_hidden_comment_shows_marked_to_its_author_and_moderators_only(
    world: dict[str, Any], client_for: Any
) -> None:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    comment = conversations.reply(world["bob"], post, "Commentaire déplacé")
    actions.flag(world["alice"], on(comment), "inappropriate")
    actions.decide(world["cm"], [on(comment)], "hide", "Ton")
    for reader, shown in (
        (world["bob"], True),
        (world["alice"], True),  # the space's owner moderates it
        (world["cm"], True),
        (world["carol"], False),
    ):
        page = client_for(reader).get(f"/posts/{post.pk}/").content.decode()
        assert ("Commentaire déplacé" in page) == shown, reader
        assert ("Hidden by moderation" in page) == shown, reader
    # The API's comments leave it out for everyone, its author included.
    from django.test import Client

    from rucher.people.actions.tokens import create_token

    _row, raw = create_token(world["bob"], "t")
    detail = Client(headers={"Authorization": f"Bearer {raw}"}).get(f"/api/v1/posts/{post.pk}")
    assert "Commentaire déplacé" not in detail.content.decode()


def test_a_decision_costs_a_few_statements_per_item(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    posts = [conversations.publish(world["bob"], world["open"], f"Pub {i}") for i in range(4)]
    for post in posts:
        actions.flag(world["carol"], on(post), "spam")
    # Per item: its re-read through the policy, its open review (locked), closing the review
    # and its flags; then one INSERT for the events, one for the decisions, and the savepoint.
    with django_assert_num_queries(4 + 4 * 1):
        actions.decide(world["alice"], [on(posts[0])], "dismiss", "Rien")
    with django_assert_num_queries(4 + 4 * 3):
        actions.decide(world["alice"], [on(p) for p in posts[1:]], "dismiss", "Rien")

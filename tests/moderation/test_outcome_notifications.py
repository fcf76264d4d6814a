"""The outcome of a decision reaches the author (about their content, even hidden) and the
people who flagged it (about the space: no more than "it was reviewed")."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from rucher.activity.models import Event
from rucher.conversations import actions as conversations
from rucher.moderation import actions
from rucher.moderation.queries import ItemRef
from rucher.notifications.fanout import notify
from rucher.notifications.models import Kind, Notification
from rucher.notifications.queries import describe, shown_to

pytestmark = pytest.mark.django_db


def texts(person: Any) -> list[str]:
    with translation.override("en"):
        return [s.text for s in describe(person, list(shown_to(person)))]


def test_hide_tells_the_author_and_the_flaggers(world: dict[str, Any]) -> None:
    post = conversations.publish(world["bob"], world["open"], "Venez acheter mes crêpes")
    actions.flag(world["carol"], ItemRef("content", post.pk), "spam")
    actions.flag(world["cm"], ItemRef("content", post.pk), "spam")
    actions.decide(world["alice"], [ItemRef("content", post.pk)], "hide", "Publicité")
    event = Event.objects.get(verb="moderated")
    ids = notify(event)
    assert len(ids) == 3
    assert notify(event) == []  # a second delivery adds nothing
    rows = Notification.objects.filter(kind=Kind.MODERATION)
    assert {(r.recipient_id, r.subject) for r in rows} == {
        (world["bob"].pk, f"content:{post.pk}"),
        (world["carol"].pk, f"space:{world['open'].pk}"),
        (world["cm"].pk, f"space:{world['open'].pk}"),
    }
    # The author sees it although the content is hidden; the flaggers learn the space only.
    assert texts(world["bob"]) == ["Your message “Venez acheter mes crêpes” was moderated"]
    assert texts(world["carol"]) == ["The moderators of the space Ouvert reviewed what you flagged"]
    assert texts(world["alice"]) == []  # never the moderator who decided


def test_a_decision_on_a_profile_tells_its_owner_and_the_flaggers(
    world: dict[str, Any], client_for: Any
) -> None:
    actions.flag(world["bob"], ItemRef("person", world["carol"].pk), "inappropriate")
    actions.decide(world["cm"], [ItemRef("person", world["carol"].pk)], "warn", "Photo")
    event = Event.objects.get(verb="moderated")
    assert len(notify(event)) == 2
    assert notify(event) == []  # a second delivery adds nothing
    assert texts(world["carol"]) == ["The moderators reviewed your profile"]
    assert texts(world["bob"]) == ["The moderators reviewed the profile you flagged"]
    assert texts(world["cm"]) == [] and texts(world["alice"]) == []
    with translation.override("en"):
        (shown,) = describe(world["bob"], list(shown_to(world["bob"])))
    assert shown.url == f"/people/{world['carol'].pk}/" and shown.subject.type == "person"
    page = client_for(world["carol"]).get("/notifications/", headers={"Accept-Language": "fr"})
    assert "Les modérateurs ont examiné votre profil" in page.content.decode()


def test_a_released_held_post_reaches_its_watchers_once(world: dict[str, Any]) -> None:
    """Held for sensitive data, the post told nobody; released, its space's watchers hear of
    it as of any new post (the author its actor), once whichever delivery comes first."""
    from rucher.moderation.held import queue_held
    from rucher.notifications.models import Preference

    for watcher in ("alice", "bob"):  # bob is not a member of the partner space
        Preference.objects.create(person=world[watcher], space=world["partner"], channel="app")
    iban = "Virement sur FR76 3000 6000 0112 3456 7890 189 merci"
    post = conversations.publish(world["gus"], world["partner"], iban)
    posted = Event.objects.get(verb="posted", object_id=post.pk)
    assert notify(posted) == []  # held: nobody
    queue_held(posted)
    actions.decide(world["alice"], [ItemRef("content", post.pk)], "restore", "Faux positif")
    moderated = Event.objects.get(verb="moderated")
    notify(moderated)
    new_posts = Notification.objects.filter(kind=Kind.NEW_POST)
    assert [n.recipient_id for n in new_posts] == [world["alice"].pk]
    assert notify(posted) == []  # a late first delivery of the post's event: not twice
    assert notify(moderated) == []
    assert Notification.objects.filter(kind=Kind.NEW_POST).count() == 1
    with translation.override("en"):
        shown = [s.text for s in describe(world["alice"], list(shown_to(world["alice"])))]
    assert any("Gus" in text for text in shown), shown


def test_a_deletion_tells_the_author_and_the_flaggers(world: dict[str, Any]) -> None:
    post = conversations.publish(world["bob"], world["open"], "Achetez mes crêpes")
    actions.flag(world["carol"], ItemRef("content", post.pk), "spam")
    actions.decide(world["alice"], [ItemRef("content", post.pk)], "delete", "Publicité")
    notify(Event.objects.get(verb="moderated"))
    with translation.override("en"):
        (author,) = describe(world["bob"], list(shown_to(world["bob"])))
    assert author.text == "Your message “Achetez mes crêpes” was deleted by the moderators"
    assert author.url == f"/spaces/{world['open'].slug}/"  # the post's page is gone
    assert texts(world["carol"]) == ["The moderators of the space Ouvert reviewed what you flagged"]
    assert texts(world["alice"]) == []


def test_a_moderator_still_sees_the_replies_under_a_post_they_hid(world: dict[str, Any]) -> None:
    from rucher.conversations import actions as conversations
    from rucher.moderation import actions as moderation
    from rucher.moderation.queries import ItemRef
    from rucher.streams.queries import thread

    post = conversations.publish(world["bob"], world["open"], "Un message hors charte")
    reply = conversations.reply(world["alice"], post, "Une réponse sans reproche")
    moderation.flag(world["cm"], ItemRef("content", post.pk), "off_topic")
    moderation.decide(world["alice"], [ItemRef("content", post.pk)], "hide", "Hors charte")
    post.refresh_from_db()
    assert [c.pk for c in thread(world["alice"], post, moderating=True)] == [reply.pk]

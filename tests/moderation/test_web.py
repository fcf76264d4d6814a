"""The pages: "Signaler" on posts, comments and profiles; the queue page with its decision
forms and its bulk form; the restore list on the same page (in French, the default)."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.conversations import actions as conversations
from rucher.conversations.models import Content
from rucher.moderation import actions
from rucher.moderation.models import Flag
from rucher.moderation.queries import ItemRef

pytestmark = pytest.mark.django_db


def test_flag_a_post_from_its_page(world: dict[str, Any], client_for: Any) -> None:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    bob = client_for(world["bob"])
    page = bob.get(f"/posts/{post.pk}/").content.decode()
    assert f"/moderation/flag/content/{post.pk}/" in page
    assert "Signaler" in page
    form = bob.get(f"/moderation/flag/content/{post.pk}/").content.decode()
    assert "hors sujet" in form and "informations sensibles" in form
    sent = bob.post(f"/moderation/flag/content/{post.pk}/", {"reason": "spam"}, follow=True)
    assert "Merci, les animateurs vont examiner ce contenu" in sent.content.decode()
    assert Flag.objects.filter(flagger=world["bob"]).count() == 1
    again = bob.post(f"/moderation/flag/content/{post.pk}/", {"reason": "spam"})
    assert again.status_code == 409
    assert "déjà signalé" in again.content.decode()
    missing = bob.post(f"/moderation/flag/content/{post.pk}/", {"reason": "other", "text": ""})
    assert missing.status_code == 422


def test_flag_a_comment_and_a_profile(world: dict[str, Any], client_for: Any) -> None:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    comment = conversations.reply(world["alice"], post, "Un commentaire")
    bob = client_for(world["bob"])
    assert (
        f"/moderation/flag/content/{comment.pk}/" in bob.get(f"/posts/{post.pk}/").content.decode()
    )
    assert (
        bob.post(f"/moderation/flag/content/{comment.pk}/", {"reason": "spam"}).status_code == 302
    )
    profile = bob.get(f"/people/{world['carol'].pk}/").content.decode()
    assert f"/moderation/flag/person/{world['carol'].pk}/" in profile
    answer = bob.post(
        f"/moderation/flag/person/{world['carol'].pk}/", {"reason": "other", "text": "Photo"}
    )
    assert answer.status_code == 302


def test_what_one_cannot_see_cannot_be_flagged_from_the_web(
    world: dict[str, Any], client_for: Any
) -> None:
    secret = conversations.publish(world["alice"], world["secret"], "Entre nous")
    bob = client_for(world["bob"])
    assert bob.get(f"/moderation/flag/content/{secret.pk}/").status_code == 404
    assert bob.post(f"/moderation/flag/content/{secret.pk}/", {"reason": "spam"}).status_code == 404
    assert bob.get("/moderation/flag/space/1/").status_code == 422


def test_the_queue_page_and_its_decisions(world: dict[str, Any], client_for: Any) -> None:
    posts = [conversations.publish(world["bob"], world["open"], f"Pub {i}") for i in range(2)]
    for post in posts:
        actions.flag(world["carol"], ItemRef("content", post.pk), "spam")
    gone = conversations.publish(world["bob"], world["open"], "Supprimé")
    conversations.delete(world["bob"], gone)
    cm = client_for(world["cm"])
    page = cm.get("/moderation/").content.decode()
    assert "File d’examen" in page and "Pub 0" in page and "Pub 1" in page
    assert "Supprimé" in page  # the restore list, on the same page
    assert "masquer" in page and "suspendre l’auteur de l’espace" in page
    # One item with its own form.
    one = cm.post(
        "/moderation/decide/",
        {"items": f"content:{posts[0].pk}", "decision": "hide", "reason": "Publicité"},
    )
    assert one.status_code == 302
    assert Content.objects.get(pk=posts[0].pk).status == "hidden"
    # A bad decision re-renders the page with the reason and a 4xx, nothing written.
    bad = cm.post(
        "/moderation/decide/",
        {"items": f"content:{posts[1].pk}", "decision": "hide", "reason": ""},
    )
    assert bad.status_code == 422
    assert "motif" in bad.content.decode()
    # The bulk form.
    more = conversations.publish(world["bob"], world["open"], "Pub 2")
    actions.flag(world["carol"], ItemRef("content", more.pk), "spam")
    bulk = cm.post(
        "/moderation/decide/",
        {
            "items": [f"content:{posts[1].pk}", f"content:{more.pk}"],
            "decision": "dismiss",
            "reason": "Rien à redire",
        },
    )
    assert bulk.status_code == 302
    assert not Flag.objects.filter(status="open").exists()


def test_guests_have_no_moderation_page(world: dict[str, Any], client_for: Any) -> None:
    assert client_for(world["gus"]).get("/moderation/").status_code == 404
    assert client_for(world["gus"]).post("/moderation/decide/", {}).status_code == 404
    # A member without a space to moderate sees an empty queue, and cannot decide.
    post = conversations.publish(world["alice"], world["open"], "Un message")
    actions.flag(world["carol"], ItemRef("content", post.pk), "spam")
    bob = client_for(world["bob"])
    assert "Rien à examiner." in bob.get("/moderation/").content.decode()
    refused = bob.post(
        "/moderation/decide/",
        {"items": f"content:{post.pk}", "decision": "hide", "reason": "x"},
    )
    assert refused.status_code == 403


def test_the_queue_page_costs_the_same_whatever_its_size(
    world: dict[str, Any], client_for: Any, django_assert_num_queries: Any
) -> None:
    cm = client_for(world["cm"])

    def flag_more(n: int) -> None:
        for i in range(n):
            post = conversations.publish(world["bob"], world["open"], f"Message {i}")
            comment = conversations.reply(world["bob"], post, f"Réponse {i}")
            actions.flag(world["alice"], ItemRef("content", comment.pk), "spam")

    flag_more(2)
    cm.get("/moderation/")  # the session, warmed
    # The session and the account, the queue's four queries, the suspensions, the restore
    # list, the bell's unread count, the navigation column's spaces.
    with django_assert_num_queries(10):
        cm.get("/moderation/")
    flag_more(5)
    with django_assert_num_queries(10):
        assert "Réponse 4" in cm.get("/moderation/").content.decode()


def test_current_suspensions_are_listed_and_lifted(world: dict[str, Any], client_for: Any) -> None:
    post = conversations.publish(world["bob"], world["open"], "Pub")
    actions.flag(world["carol"], ItemRef("content", post.pk), "spam")
    actions.decide(world["alice"], [ItemRef("content", post.pk)], "suspend", "Pub", period="30d")
    alice = client_for(world["alice"])
    page = alice.get("/moderation/").content.decode()
    assert "Suspensions en cours" in page and world["bob"].display_name in page
    url = f"/moderation/suspensions/{world['open'].pk}/{world['bob'].pk}/lift/"
    assert alice.post(url, {"reason": ""}).status_code == 422
    assert alice.post(url, {"reason": "Excuses reçues"}).status_code == 302
    assert "Personne n’est suspendu." in alice.get("/moderation/").content.decode()
    assert client_for(world["carol"]).post(url, {"reason": "x"}).status_code == 403


def test_a_hidden_post_tells_its_author_why_and_is_not_offered_for_sharing(
    world: dict[str, Any], client_for: Any
) -> None:
    from rucher.errors import ActionError
    from rucher.spaces import permissions

    post = conversations.publish(world["bob"], world["open"], "Un message hors sujet")
    assert permissions.is_shareable(post)
    actions.flag(world["alice"], ItemRef("content", post.pk), "off_topic")
    actions.decide(world["alice"], [ItemRef("content", post.pk)], "hide", "Hors sujet ici")
    post.refresh_from_db()
    assert not permissions.is_shareable(post)
    with pytest.raises(ActionError):
        conversations.share(world["alice"], post, world["private"], "")
    page = client_for(world["bob"]).get(f"/posts/{post.pk}/").content.decode()
    assert "Masqué par la modération" in page
    assert "Raison donnée par la modération" in page and "Hors sujet ici" in page
    assert f"/posts/{post.pk}/share/" not in page
    moderator = client_for(world["alice"]).get(f"/posts/{post.pk}/").content.decode()
    assert "Hors sujet ici" in moderator and "Afficher de nouveau" in moderator


def test_the_audit_trail_names_the_decision_and_its_reason(
    world: dict[str, Any], client_for: Any
) -> None:
    from rucher.activity.models import Event
    from rucher.audit.mirror import mirror_event
    from rucher.audit.models import AuditEntry

    first = conversations.publish(world["bob"], world["open"], "Premier")
    second = conversations.publish(world["bob"], world["open"], "Second")
    for post in (first, second):
        actions.flag(world["alice"], ItemRef("content", post.pk), "spam")
    actions.decide(
        world["alice"],
        [ItemRef("content", first.pk), ItemRef("content", second.pk)],
        "hide",
        "Publicité",
    )
    actions.decide(world["alice"], [ItemRef("content", first.pk)], "restore", "Erreur de ma part")
    for event in Event.objects.filter(verb="moderated").order_by("pk"):
        assert mirror_event(event)  # what the worker does after the commit
    details = [e.detail for e in AuditEntry.objects.filter(action="moderated").order_by("seq")]
    assert details == [
        {"decision": "hide", "reason": "Publicité"},
        {"decision": "hide", "reason": "Publicité"},
        {"decision": "restore", "reason": "Erreur de ma part"},
    ]
    page = client_for(world["admin"]).get("/audit/?action=moderated").content.decode()
    assert "Masquer — <q>Publicité</q>" in page
    assert "Erreur de ma part" in page

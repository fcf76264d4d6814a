"""The composer, the reply form and the edit page show what the sensitive-data check found
and ask to confirm a warning (in English and in French); held content is marked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from rucher.activity.models import Event
from rucher.conversations import actions
from rucher.conversations.models import Content
from rucher.moderation.held import queue_held

pytestmark = pytest.mark.django_db

IBAN = "Virement sur FR76 3000 6000 0112 3456 7890 189 merci"
HTMX = {"HX-Request": "true"}


def test_the_composer_warns_then_publishes_once_confirmed(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    alice = client_for(world["alice"])
    form = {"kind": "post", "space": world["open"].pk, "text": IBAN}
    warned = alice.post("/posts/new/", form)
    page = warned.content.decode()
    assert warned.status_code == 422
    assert "This text seems to contain sensitive data:" in page
    assert "A bank account number (IBAN) with a valid check key." in page
    assert 'name="confirm_sensitive" value="1"' in page and "Publish anyway" in page
    assert "FR76 •••• •••• •••• •••• •••0 189" in page
    assert not Content.objects.exists()
    in_place = alice.post("/posts/new/", form, headers=HTMX)
    assert in_place.status_code == 422 and in_place["HX-Retarget"] == "#composer"
    assert "Publish anyway" in in_place.content.decode()
    published = alice.post("/posts/new/", {**form, "confirm_sensitive": "1"})
    assert published.status_code == 302
    post = Content.objects.get()
    assert post.status == Content.Status.PUBLISHED and post.sensitive["confirmed"] is True


def test_the_composer_speaks_french(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "fr"
    alice = client_for(world["alice"])
    page = alice.post("/posts/new/", {"kind": "post", "space": world["open"].pk, "text": IBAN})
    text = page.content.decode()
    assert "Ce texte semble contenir des données sensibles" in text
    assert "Un numéro de compte bancaire (IBAN) dont la clé est valide." in text
    assert "Publier quand même" in text
    # Positions count from 1, as a person counts: the IBAN is the 14th to the 46th character.
    assert IBAN.index("FR76") == 13 and len("FR76 3000 6000 0112 3456 7890 189") == 33
    assert "caractères 14 à 46" in text
    card = alice.post(
        "/posts/new/",
        {"kind": "post", "space": world["open"].pk, "text": "carte 4111 1111 1111 1111"},
    )
    assert card.status_code == 422
    assert "Un numéro de carte de paiement" in card.content.decode()
    assert "Publier quand même" not in card.content.decode()


def test_a_held_post_is_marked_for_its_author_and_hidden_from_others(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    gus = client_for(world["gus"])
    answer = gus.post("/posts/new/", {"kind": "post", "space": world["partner"].pk, "text": IBAN})
    assert answer.status_code == 302
    post = Content.objects.get()
    assert post.status == Content.Status.HELD
    mine = gus.get(f"/posts/{post.pk}/")
    assert mine.status_code == 200
    assert "Held for review" in mine.content.decode()
    assert "A bank account number (IBAN)" in mine.content.decode()
    # Posted from the home page (htmx), the item put in the author's stream is marked too: it
    # must not pass for published.
    inline = gus.post(
        "/posts/new/",
        {"kind": "post", "space": world["partner"].pk, "text": IBAN + " (2)"},
        HTTP_HX_REQUEST="true",
    )
    assert inline.status_code == 200
    assert "held for review: only you and the moderators see it" in inline.content.decode()
    assert client_for(world["bob"]).get(f"/posts/{post.pk}/").status_code == 404
    # not in the space's stream for its members
    stream = client_for(world["alice"]).get("/").content.decode()
    assert "FR76" not in stream
    # the moderator finds it in the queue and releases it from there
    queue_held(Event.objects.get(object_id=post.pk, verb="posted"))
    alice = client_for(world["alice"])
    queue = alice.get("/moderation/").content.decode()
    assert f"content:{post.pk}" in queue
    moderator_view = alice.get(f"/posts/{post.pk}/").content.decode()
    assert "Release" in moderator_view
    released = alice.post(
        "/moderation/decide/",
        {"items": f"content:{post.pk}", "decision": "restore", "reason": "Expected"},
    )
    assert released.status_code == 302
    post.refresh_from_db()
    assert post.status == Content.Status.PUBLISHED


def test_the_reply_form_warns_and_confirms(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    root = actions.publish(world["alice"], world["open"], "Les notes de frais")
    bob = client_for(world["bob"])
    warned = bob.post(f"/posts/{root.pk}/reply/", {"text": IBAN})
    assert warned.status_code == 422
    assert "Publish anyway" in warned.content.decode()
    assert (
        bob.post(f"/posts/{root.pk}/reply/", {"text": IBAN, "confirm_sensitive": "1"}).status_code
        == 302
    )
    assert Content.objects.filter(parent=root, status="published").count() == 1


def test_the_edit_page_warns_and_confirms(
    world: dict[str, Any], client_for: Callable[..., Client], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    post = actions.publish(world["alice"], world["open"], "Les coordonnées suivent")
    alice = client_for(world["alice"])
    warned = alice.post(f"/posts/{post.pk}/edit/", {"text": IBAN})
    assert warned.status_code == 422 and "Publish anyway" in warned.content.decode()
    post.refresh_from_db()
    assert post.text == "Les coordonnées suivent"
    done = alice.post(f"/posts/{post.pk}/edit/", {"text": IBAN, "confirm_sensitive": "1"})
    assert done.status_code == 302
    post.refresh_from_db()
    assert post.text == IBAN and post.sensitive["confirmed"] is True

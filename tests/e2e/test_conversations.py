"""Posting, commenting and reacting, as a person does it in the browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

HOME_SCREENSHOT = "/tmp/rucher-home.png"


def _item(page: Any, content_id: int) -> Any:
    return page.locator(f"#c{content_id}")


def _reaction_button(page: Any, content_id: int, kind: str) -> Any:
    # By the value sent, not the label: labels are translated.
    return page.locator(f"#reactions-{content_id} form:has(input[name=kind][value={kind}]) button")


def test_post_from_the_home_composer_appears_in_the_stream(
    page: Any, sign_in_as: Any, world: dict[str, Any]
) -> None:
    from rucher.conversations.models import Content

    sign_in_as("bob")
    composer = page.locator("#composer")
    # The composer is one line until used (ui.js): the text first, then where.
    composer.locator("textarea[name=text]").fill("Qui vient au **pot** de vendredi ? #afterwork")
    composer.locator("select[name=space]").select_option(label="Ouvert")
    composer.locator("button[type=submit]").click()

    first = page.locator("#stream-items article").first
    expect(first).to_contain_text("Qui vient au pot de vendredi ?")
    expect(first.locator(".body strong")).to_have_text("pot")  # Markdown was rendered
    # The topic is a link in the text, and only there (not listed again under it).
    expect(first.locator(".body a[href='/topics/afterwork/']")).to_have_text("#afterwork")
    expect(first.locator(".topics")).to_have_count(0)
    expect(first.locator(".item-meta")).to_contain_text("Ouvert")
    expect(composer.locator("textarea[name=text]")).to_have_value("")  # ready for the next

    post = Content.objects.get(author=world["bob"], kind="post")
    assert post.space_id == world["open"].pk

    # Still there after a reload, and in the space's own stream for another member.
    page.reload()
    expect(_item(page, post.pk)).to_contain_text("Qui vient au pot de vendredi ?")
    page.context.clear_cookies()
    sign_in_as("alice")
    page.goto(f"/spaces/{world['open'].slug}/")
    expect(_item(page, post.pk)).to_contain_text("Qui vient au pot de vendredi ?")


def test_post_from_the_space_page_and_an_empty_one_is_refused(
    page: Any, sign_in_as: Any, world: dict[str, Any]
) -> None:
    from rucher.conversations.models import Content

    sign_in_as("carol")
    page.goto(f"/spaces/{world['private'].slug}/")
    composer = page.locator("#composer")

    composer.locator("textarea[name=text]").click()  # opens the folded composer
    composer.locator("button[type=submit]").click()  # nothing written
    expect(page.locator("#composer [role=alert]")).to_be_visible()
    assert not Content.objects.filter(author=world["carol"]).exists()

    page.locator("#composer textarea[name=text]").fill("Compte rendu de la réunion d'équipe")
    page.locator("#composer button[type=submit]").click()

    expect(page.locator("#stream-items article").first).to_contain_text(
        "Compte rendu de la réunion d'équipe"
    )
    post = Content.objects.get(author=world["carol"])
    assert post.space_id == world["private"].pk


def test_comment_appears_under_the_post_and_the_count_changes(
    page: Any, sign_in_as: Any, world: dict[str, Any]
) -> None:
    from rucher.conversations.actions import publish

    post = publish(world["alice"], world["open"], "Nouvelle charte graphique en ligne")
    sign_in_as("bob")
    comments_link = _item(page, post.pk).locator(".item-actions > a")
    expect(comments_link).to_have_text(re.compile(r"^\s*0\b"))

    comments_link.click()
    expect(page).to_have_url(re.compile(rf"/posts/{post.pk}/$"))
    expect(page.locator("#replies-title")).to_contain_text("(0)")
    page.locator("#reply-form textarea[name=text]").fill("Bravo, elle est très *lisible*.")
    page.locator("#reply-form button[type=submit]").click()

    reply = page.locator("article.reply")
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text("Bravo, elle est très lisible.")
    expect(reply.locator(".author")).to_have_text(world["bob"].display_name)
    expect(reply.locator(".body em")).to_have_text("lisible")
    expect(page.locator("#replies-title")).to_contain_text("(1)")
    # The reply comes after the post it answers.
    assert page.evaluate(
        f"""() => Boolean(document.querySelector('#c{post.pk}')
            .compareDocumentPosition(document.querySelector('article.reply'))
            & Node.DOCUMENT_POSITION_FOLLOWING)"""
    )

    page.goto("/")
    expect(_item(page, post.pk).locator(".item-actions > a")).to_have_text(re.compile(r"^\s*1\b"))


def test_reaction_is_shown_as_taken_and_a_second_click_takes_it_back(
    page: Any, sign_in_as: Any, world: dict[str, Any]
) -> None:
    from rucher.conversations.actions import publish
    from rucher.conversations.models import Reaction

    post = publish(world["alice"], world["open"], "Le nouveau site de Lyon ouvre lundi")
    sign_in_as("bob")
    reactions = page.locator(f"#reactions-{post.pk}")
    like = _reaction_button(page, post.pk, "like")
    expect(reactions.locator(".count")).to_have_text(re.compile(r"^\s*0\b"))
    expect(like).to_have_attribute("aria-pressed", "false")

    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_have_class(re.compile(r"\bactive\b"))
    expect(reactions.locator(".count")).to_have_text(re.compile(r"^\s*1\b"))
    assert list(Reaction.objects.filter(content=post).values_list("person__username", "kind")) == [
        ("bob", "like")
    ]

    # A reload shows the same state: it was saved, not only drawn.
    page.reload()
    expect(like).to_have_attribute("aria-pressed", "true")

    like.click()
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(like).not_to_have_class(re.compile(r"\bactive\b"))
    expect(reactions.locator(".count")).to_have_text(re.compile(r"^\s*0\b"))
    assert not Reaction.objects.filter(content=post).exists()

    # Another kind replaces nothing else: one reaction per person.
    celebrate = _reaction_button(page, post.pk, "celebrate")
    celebrate.click()
    expect(celebrate).to_have_attribute("aria-pressed", "true")
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(reactions.locator(".count")).to_have_text(re.compile(r"^\s*1\b"))


def test_home_stream_screenshot(page: Any, sign_in_as: Any, world: dict[str, Any]) -> None:
    """A home stream with a little of everything, saved for a person to look at."""
    from rucher.conversations.actions import publish, react, reply

    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    first = publish(alice, world["open"], "Bienvenue sur **rucher** ! Présentez-vous ici. #accueil")
    reply(bob, first, "Bonjour à toutes et à tous !")
    react(bob, first, "celebrate")
    publish(
        alice,
        world["open"],
        "Quelqu'un connaît un bon outil de *diagramme* ?\n\n- libre\n- hors ligne",
        kind="question",
    )
    publish(carol, world["private"], "[Sport] Course solidaire jeudi midi, départ du hall B")
    sign_in_as("alice")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    expect(page.locator("#stream-items article")).to_have_count(3)
    page.screenshot(path=HOME_SCREENSHOT, full_page=True)


def test_home_stream_fits_a_phone_screen(page: Any, sign_in_as: Any, world: dict[str, Any]) -> None:
    from rucher.conversations.actions import publish

    publish(world["alice"], world["open"], "Un message assez long " * 12 + "#mobile")
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in_as("bob")
    expect(page.locator("#stream-items article")).to_have_count(1)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways on a phone: {widths}"
    page.screenshot(path="/tmp/rucher-home-phone.png", full_page=True)


def test_a_link_to_an_earlier_reply_of_a_long_thread_opens_the_whole_thread(
    page: Any, sign_in_as: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long thread opens on its newest replies (issue 16); a notification's link to an
    earlier one (/posts/<root>/#c<id>) is followed to the whole thread by ui.js."""
    from rucher.conversations import actions
    from rucher.web import views_content

    monkeypatch.setattr(views_content, "LONG_THREAD", 4)
    monkeypatch.setattr(views_content, "RECENT_REPLIES", 3)
    root = actions.publish(world["alice"], world["open"], "Un long fil")
    replies = [actions.reply(world["alice"], root, f"réponse {i}") for i in range(6)]
    sign_in_as("bob")
    page.goto(f"/posts/{root.pk}/")
    expect(_item(page, replies[-1].pk)).to_be_visible()
    expect(_item(page, replies[0].pk)).to_have_count(0)
    page.goto("/notifications/")  # from another page, as a notification's link is followed
    page.goto(f"/posts/{root.pk}/#c{replies[0].pk}")
    expect(page).to_have_url(re.compile(rf"/posts/{root.pk}/\?replies=all#c{replies[0].pk}$"))
    expect(_item(page, replies[0].pk)).to_contain_text("réponse 0")
    expect(_item(page, replies[-1].pk)).to_be_visible()

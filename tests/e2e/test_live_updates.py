"""Live updates in the browser: rucher served through its ASGI application (Granian), two
people in two browser contexts, nothing reloaded."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from rucher.conversations import actions

pytestmark = pytest.mark.django_db(transaction=True)

# The header bell's markup (the notification centre's, in base.html); added here when the
# page does not have it yet, so live.js is tested against the agreed elements either way.
BELL = (
    '<a id="notification-bell" href="#"><span id="notification-count" data-count="0" hidden>0'
    "</span></a>"
)


def signed_in(browser: Any, server: Any, username: str) -> Any:
    context = browser.new_context(base_url=server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("main button[type=submit]")
    expect(page.locator("#composer")).to_be_visible()
    return page


def live(page: Any) -> None:
    """Wait until the page's event stream is open (live.js marks it)."""
    expect(page.locator("html")).to_have_attribute("data-live", "open")


def test_a_new_post_is_announced_and_shown_without_reload(
    browser: Any, asgi_server: Any, world: dict[str, Any]
) -> None:
    alice = signed_in(browser, asgi_server, "alice")
    bob = signed_in(browser, asgi_server, "bob")
    try:
        live(alice)
        alice.evaluate("window.notReloaded = true")
        composer = bob.locator("#composer")
        composer.locator("textarea[name=text]").fill("Du nouveau pour Alice")  # it unfolds
        composer.locator("select[name=space]").select_option(label="Ouvert")
        composer.locator("button[type=submit]").click()
        expect(bob.locator("#stream-items article").first).to_contain_text("Du nouveau")

        banner = alice.locator("#new-posts")
        expect(banner).to_be_visible()
        expect(banner).to_have_text("1 nouvelle publication")
        expect(alice.locator("#stream-items")).not_to_contain_text("Du nouveau")
        banner.locator("button").click()
        expect(alice.locator("#stream-items article").first).to_contain_text(
            "Du nouveau pour Alice"
        )
        expect(banner).to_be_hidden()
        assert alice.evaluate("window.notReloaded") is True
        # The item came with its buttons working (htmx processed it): react to it.
        first = alice.locator("#stream-items article").first
        first.locator("form:has(input[name=kind][value=like]) button").click()
        expect(first.locator("[aria-pressed=true]")).to_have_count(1)
        # Bob hears of alice's next open post, not of her secret one (he is not a member).
        live(bob)
        actions.publish(world["alice"], world["secret"], "Secret")
        actions.publish(world["alice"], world["open"], "Ouvert à tous")
        expect(bob.locator("#new-posts")).to_have_text("1 nouvelle publication")
        expect(alice.locator("#new-posts")).to_have_text("2 nouvelles publications")
    finally:
        alice.context.close()
        bob.context.close()


def test_the_bell_counts_new_notifications_without_reload(
    browser: Any, asgi_server: Any, world: dict[str, Any], notification_row: Any
) -> None:
    alice = signed_in(browser, asgi_server, "alice")
    try:
        if alice.locator("#notification-count").count() == 0:
            alice.evaluate(
                f"document.querySelector('.header-tools').insertAdjacentHTML("
                f"'afterbegin', {BELL!r})"
            )
        live(alice)
        count = alice.locator("#notification-count")
        expect(count).to_be_hidden()
        notification_row(world["alice"], actions.publish(world["bob"], world["open"], "@alice"))
        expect(count).to_be_visible()
        expect(count).to_have_text("1")
        expect(count).to_have_attribute("data-count", "1")
    finally:
        alice.context.close()


def test_new_comments_appear_under_the_open_post(
    browser: Any, asgi_server: Any, world: dict[str, Any]
) -> None:
    root = actions.publish(world["alice"], world["open"], "Un fil")
    bob = signed_in(browser, asgi_server, "bob")
    try:
        bob.goto(f"/posts/{root.pk}/")
        live(bob)
        expect(bob.locator("#replies")).to_contain_text(re.compile("Aucune|No replies"))
        actions.reply(world["alice"], root, "Une réponse en direct")
        expect(bob.locator("#replies article.reply")).to_have_count(1)
        expect(bob.locator("#replies")).to_contain_text("Une réponse en direct")
    finally:
        bob.context.close()


def test_a_direct_message_appears_in_the_open_conversation(
    browser: Any, asgi_server: Any, world: dict[str, Any]
) -> None:
    from rucher.messaging import actions as messaging

    first = messaging.start_conversation(world["alice"], [world["bob"].pk], "Bonjour Bob")
    bob = signed_in(browser, asgi_server, "bob")
    try:
        bob.goto(f"/messages/{first.conversation_id}/")
        live(bob)
        expect(bob.locator("#message-thread article.message")).to_have_count(1)
        messaging.send_message(world["alice"], first.conversation_id, "Un message en direct")
        expect(bob.locator("#message-thread article.message")).to_have_count(2)
        expect(bob.locator("#message-thread")).to_contain_text("Un message en direct")
        # Seen as it arrived: bob has read it (no unread mark left in the list).
        bob.goto("/messages/")
        expect(bob.locator("li.conversation-row")).to_have_count(1)
        expect(bob.locator("li.conversation-row.unread")).to_have_count(0)
    finally:
        bob.context.close()

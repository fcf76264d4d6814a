"""Signing in, with the mouse and with the keyboard only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

# The browser's own thin "auto" ring does not count: the site must draw a clear one of its own
# (an outline of at least 2px, or a box-shadow), so removing rucher.css's rule fails here.
FOCUS_RING_JS = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outline = !['none', 'auto'].includes(style.outlineStyle)
        && parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    return {id: el.id, tag: el.tagName, visible: Boolean(outline || shadow)};
}"""


def test_wrong_password_is_refused_and_right_one_lands_on_home(
    page: Any, live_server: Any, make_person: Any
) -> None:
    make_person(username="alice", first_name="Alice", last_name="Martin")

    page.goto("/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "not-the-password")
    page.click("main button[type=submit]")

    expect(page.locator("main [role=alert]")).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/login/")
    expect(page.locator("details.account-menu")).to_have_count(0)
    # The username stays filled in; the password does not.
    expect(page.locator("input[name=username]")).to_have_value("alice")
    expect(page.locator("input[name=password]")).to_have_value("")

    page.fill("input[name=password]", "demo")
    page.click("main button[type=submit]")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("details.account-menu summary .account-name")).to_have_text("Alice Martin")
    expect(page.locator("#composer textarea[name=text]")).to_be_visible()


def test_anonymous_visitor_is_sent_to_sign_in_then_back(
    page: Any, live_server: Any, make_person: Any
) -> None:
    make_person(username="alice")

    page.goto("/people/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/people/$"))

    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "demo")
    page.click("main button[type=submit]")

    expect(page).to_have_url(f"{live_server.url}/people/")


def test_sign_in_with_the_keyboard_only_and_a_visible_focus(
    page: Any, live_server: Any, make_person: Any
) -> None:
    make_person(username="alice", first_name="Alice", last_name="Martin")
    page.goto("/login/")

    # The username field takes the focus when the page opens (autofocus): no click needed.
    focused = page.evaluate(FOCUS_RING_JS)
    assert focused["id"] == "id_username"
    assert focused["visible"], "the focused username field shows no outline or box-shadow"

    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUS_RING_JS)
    assert focused["id"] == "id_password"
    assert focused["visible"], "the focused password field shows no outline or box-shadow"

    page.keyboard.type("demo")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUS_RING_JS)
    assert focused["tag"] == "BUTTON"
    assert focused["visible"], "the focused sign-in button shows no outline or box-shadow"

    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("details.account-menu summary .account-name")).to_have_text("Alice Martin")

    # On the next page the first Tab reaches the skip link, which shows itself.
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUS_RING_JS)
    assert focused["tag"] == "A"
    assert focused["visible"], "the focused skip link shows no outline or box-shadow"
    expect(page.locator(".skip-link")).to_be_in_viewport()

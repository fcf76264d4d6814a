"""French by default, English on request, and back."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def _switch_language(page: Any, code: str) -> None:
    # Applied on change (ui.js): no second button to press.
    with page.expect_navigation():
        page.locator("form.lang-form select[name=language]").select_option(code)
    page.wait_for_load_state("load")


def _expect_french(page: Any) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("main h1")).to_have_text("Accueil")
    # rucher's own words, not only those Django's catalogues happen to carry.
    expect(page.locator("nav a[href='/spaces/']")).to_have_text("Espaces")
    expect(page.locator("#composer button[type=submit]")).to_have_text("Publier")


def _expect_english(page: Any) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Home")
    expect(page.locator("nav a[href='/spaces/']")).to_have_text("Spaces")
    expect(page.locator("#composer button[type=submit]")).to_have_text("Publish")


def test_switch_from_french_to_english_and_back(
    page: Any, live_server: Any, sign_in_as: Any, make_person: Any
) -> None:
    make_person(username="alice")
    sign_in_as("alice")
    _expect_french(page)

    _switch_language(page, "en")
    expect(page).to_have_url(f"{live_server.url}/")  # back on the same page
    _expect_english(page)
    page.goto("/")  # the choice sticks
    _expect_english(page)

    _switch_language(page, "fr")
    _expect_french(page)


def test_french_is_the_default_for_a_browser_asking_for_neither(
    browser: Any, live_server: Any, make_person: Any
) -> None:
    make_person(username="alice")
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    try:
        page = context.new_page()
        page.goto("/login/")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator("label[for=id_password]")).to_have_text("Mot de passe")
    finally:
        context.close()

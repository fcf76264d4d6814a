"""Subscribing by RSS as a person does it: from a space page to the feed settings, a key made,
its link copied, and the feed a reader fetches with that link."""

from __future__ import annotations

import re
from typing import Any

import feedparser
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_a_space_page_to_a_working_feed_link(
    page: Any, sign_in_as: Any, world: dict[str, Any], settings: Any, live_server: Any
) -> None:
    from rucher.conversations.actions import publish

    settings.RUCHER_BASE_URL = live_server.url
    publish(world["alice"], world["open"], "Réunion de rentrée jeudi #agenda")
    slug = world["open"].slug
    sign_in_as("bob")
    page.goto(f"/spaces/{slug}/")
    page.locator("a.feed-link").click()
    expect(page).to_have_url(f"{live_server.url}/settings/feeds/?space={slug}")
    page.locator("button[name=op][value=create]").click()

    field = page.locator("input.feed-url").first
    link = re.compile(rf"^{re.escape(live_server.url)}/feeds/rcf_[\w-]{{43}}/spaces/{slug}\.atom$")
    expect(field).to_have_value(link)
    copy = page.locator("button[data-copy]").first
    copy.click()
    expect(copy).to_have_text("Copié")

    url = field.input_value()
    answer = page.context.request.get(url)  # the view reads the key, never the session
    assert answer.status == 200
    parsed = feedparser.parse(answer.body())
    assert not parsed.bozo
    assert [entry.title for entry in parsed.entries] == ["Réunion de rentrée jeudi #agenda"]

    # The space page now points feed readers at the same link.
    page.goto(f"/spaces/{slug}/")
    expect(page.locator("link[rel=alternate]")).to_have_attribute("href", url)

    # Revoked: the link stops working.
    page.goto("/settings/feeds/")
    page.locator("button[name=op][value=revoke]").click()
    expect(page.locator("button[name=op][value=create]")).to_be_visible()
    assert page.context.request.get(url).status == 404

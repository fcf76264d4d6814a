"""The bell in the browser: its count, the drop-down, "mark all read", following a
notification to its item."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bell_opens_the_latest_and_marks_them_read(
    page: Any, sign_in_as: Any, world: dict[str, Any]
) -> None:
    from rucher.activity.models import Event
    from rucher.conversations import actions
    from rucher.notifications.fanout import notify

    for i in range(2):
        actions.publish(world["alice"], world["open"], f"Point d'équipe {i} avec @bob")
    for event in Event.objects.filter(verb="mentioned").order_by("id"):
        notify(event)  # what the worker does after the commit

    # The server's first request imports the URLconf (the cockpit, SciPy): slow on a busy
    # machine, and the first test of a run pays it; later steps keep the usual timeout.
    page.goto("/login/", timeout=90_000)
    sign_in_as("bob")
    count = page.locator("#notification-count")
    expect(count).to_have_text("2")
    expect(count).to_have_attribute("data-count", "2")
    page.locator("#notification-bell").click()
    menu = page.locator("#notification-menu")
    expect(menu.locator("li.unread")).to_have_count(2)
    expect(menu).to_contain_text("Alice Test vous a mentionné dans « Point d'équipe 1 avec @bob »")
    menu.get_by_role("button", name="Marquer tout comme lu").click()
    expect(menu.locator("li.unread")).to_have_count(0)
    expect(count).to_be_hidden()
    expect(count).to_have_attribute("data-count", "0")

    newest = Event.objects.filter(verb="posted").order_by("-id")[0].object_id
    menu.locator("a.notification-text").first.click()
    expect(page).to_have_url(re.compile(rf"/posts/{newest}/$"))

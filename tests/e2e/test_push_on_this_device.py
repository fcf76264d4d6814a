"""The "Notifications on this device" section in a real browser: push.js runs under the
Content-Security-Policy, finds the Push API and says this device does not receive them yet.
(Headless chromium cannot reach a real push service: no subscription is attempted here; the
delivery is tested against a local push service in tests/notifications/test_web_push.py.)"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_device_section_says_off_and_offers_the_button(
    page: Any, sign_in_as: Any, world: dict[str, Any]
) -> None:
    refusals: list[str] = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in_as("bob")
    page.goto("/settings/notifications/")
    page.wait_for_selector('#push-device[data-state="off"]')
    assert page.inner_text("#push-state") == "Cet appareil ne reçoit pas de notifications."
    assert page.is_visible("#push-enable")
    assert not page.is_visible("#push-disable")
    assert page.evaluate("'PushManager' in window && 'serviceWorker' in navigator")
    assert refusals == []

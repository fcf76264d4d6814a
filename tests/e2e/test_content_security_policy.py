"""The Content-Security-Policy allows nothing inline, and no page needs it to: every main page,
the cockpit's charts included, is walked in the browser as each kind of account and the
browser reports no violation (a `securitypolicyviolation` event or a console refusal)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from rucher.cockpit.pages import PAGES

pytestmark = pytest.mark.django_db(transaction=True)

# Collects the browser's own reports; Playwright injects it before the page's scripts run.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def walk(page: Any, paths: list[str]) -> list[str]:
    refusals: list[str] = []
    current = {"path": ""}
    page.on(
        "console",
        lambda message: (
            refusals.append(f"{current['path']}: {message.text[:160]}")
            if "Content Security Policy" in message.text or "evalDisallowed" in message.text
            else None
        ),
    )
    for path in paths:
        current["path"] = path
        # The cockpit computes its figures on a cold first view (seconds, not milliseconds).
        page.goto(path, timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=60_000)
        refusals += [f"{path}: {v}" for v in page.evaluate("window.__cspViolations")]
    return refusals


@pytest.fixture
def conversation(world: dict[str, Any]) -> dict[str, Any]:
    from rucher.conversations import actions

    post = actions.publish(
        world["alice"], world["open"], "Le **compost** du jardin, qui s'en occupe ?"
    )
    actions.reply(world["bob"], post, "Moi, le mardi.")
    actions.react(world["alice"], post, "like")
    actions.publish(world["gus"], world["partner"], "Bonjour depuis le partenaire")
    return {"post": post}


def test_no_page_breaks_the_policy_for_a_member(
    page: Any, sign_in_as: Any, world: dict[str, Any], conversation: dict[str, Any]
) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in_as("bob")
    post = conversation["post"]
    paths = [
        "/",
        "/spaces/",
        f"/spaces/{world['open'].slug}/",
        f"/posts/{post.pk}/",
        "/people/",
        f"/people/{world['alice'].pk}/",
        "/notifications/",
        reverse("notification_settings"),
        "/settings/",
        "/settings/feeds/",
        "/settings/tokens/",
        "/moderation/",
    ]
    assert walk(page, paths) == []


def test_the_cockpit_draws_its_charts_within_the_policy(
    page: Any, sign_in_as: Any, world: dict[str, Any], conversation: dict[str, Any]
) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in_as("admin")
    cockpit = ["/cockpit/", *[f"/cockpit/{p.slug}/" for p in PAGES]]
    assert walk(page, [*cockpit, "/audit/", "/settings/webhooks/"]) == []
    page.goto("/cockpit/engagement/", timeout=60_000)  # the overview's trends are SVG
    page.wait_for_load_state("networkidle", timeout=60_000)
    blocks = page.locator("script.plotly-figure").count()
    assert blocks >= 1
    # Plotly marks each element it drew into.
    assert page.locator(".js-plotly-plot").count() == blocks
    # In the dark theme the charts take the page's colours, not plotly's white paper.
    page.emulate_media(color_scheme="dark")
    page.reload(timeout=60_000)
    page.wait_for_load_state("networkidle", timeout=60_000)
    paper = page.locator(".js-plotly-plot .main-svg rect.bg").first
    assert paper.get_attribute("style") and "255, 255, 255" not in paper.get_attribute("style")
    text = page.locator(".js-plotly-plot .main-svg text").first.get_attribute("style") or ""
    assert "rgb(230, 232, 235)" in text or "#e6e8eb" in text
    page.emulate_media(color_scheme="light")
    page.reload(timeout=60_000)
    page.wait_for_load_state("networkidle", timeout=60_000)
    paper = page.locator(".js-plotly-plot .main-svg rect.bg").first
    assert "255, 255, 255" in (paper.get_attribute("style") or "")


def test_a_partner_guest_pages_stay_within_the_policy(
    page: Any, sign_in_as: Any, world: dict[str, Any], conversation: dict[str, Any]
) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in_as("gus")
    assert walk(page, ["/", f"/spaces/{world['partner'].slug}/", "/people/"]) == []


def test_every_page_carries_a_policy_without_unsafe_inline(client: Any) -> None:
    response = client.get("/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy

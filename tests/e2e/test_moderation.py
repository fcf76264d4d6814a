"""Flag a post and handle it from the review queue, as people do it in the browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_flags_a_post_and_the_owner_hides_it_from_the_queue(
    browser: Any, live_server: Any, page: Any, sign_in_as: Any, world: dict[str, Any]
) -> None:
    from rucher.conversations import actions
    from rucher.conversations.models import Content

    post = actions.publish(world["alice"], world["open"], "Venez acheter mes crêpes")
    sign_in_as("bob")
    page.goto(f"/posts/{post.pk}/")
    page.locator(f"#c{post.pk} a", has_text="Signaler").click()
    page.locator("select[name=reason]").select_option("spam")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Merci, les animateurs vont examiner ce contenu")

    # The owner of the space (alice) handles it, in another browser.
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    moderator = context.new_page()
    moderator.set_default_timeout(10_000)
    moderator.goto("/login/")
    moderator.fill("input[name=username]", "alice")
    moderator.fill("input[name=password]", "demo")
    moderator.click("main button[type=submit]")
    moderator.goto("/moderation/")
    item = moderator.locator(f"#q-content-{post.pk}")
    expect(item).to_contain_text("Venez acheter mes crêpes")
    expect(item).to_contain_text("spam")
    form = item.locator("form")
    form.locator("select[name=decision]").select_option("hide")
    form.locator("input[name=reason]").fill("Publicité")
    form.locator("button[type=submit]").click()
    expect(moderator.locator("main")).to_contain_text("Décision enregistrée")
    expect(moderator.locator("main")).to_contain_text("Rien à examiner.")
    context.close()
    assert Content.objects.get(pk=post.pk).status == "hidden"

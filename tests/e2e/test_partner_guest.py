"""A partner guest sees their partner space, its people, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

INTERNAL_SPACES = ("open", "private", "secret", "confidential")


def test_guest_reaching_an_internal_space_by_url_gets_not_found(
    page: Any, sign_in_as: Any, world: dict[str, Any]
) -> None:
    from rucher.conversations.actions import publish

    internal_post = publish(world["alice"], world["open"], "Résultats internes du trimestre")
    sign_in_as("gus")

    for key in INTERNAL_SPACES:
        space = world[key]
        response = page.goto(f"/spaces/{space.slug}/")
        assert response.status == 404, f"{key}: {response.status}"
        expect(page.locator("main h1")).not_to_contain_text(space.name)
        expect(page.locator("main")).not_to_contain_text(space.name)

    # A post of an internal space, by its address: the same not-found page.
    response = page.goto(f"/posts/{internal_post.pk}/")
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text("Résultats internes")

    # A missing space looks exactly like a hidden one (no existence leak).
    page.goto(f"/spaces/{world['secret'].slug}/")
    hidden_text = page.locator("main").inner_text()
    response = page.goto("/spaces/no-such-space/")
    assert response.status == 404
    assert page.locator("main").inner_text() == hidden_text

    # Their own partner space opens.
    response = page.goto(f"/spaces/{world['partner'].slug}/")
    assert response.status == 200
    expect(page.locator("main h1")).to_have_text("Partenaires")


def test_guest_lists_show_only_the_partner_space_and_its_people(
    page: Any, sign_in_as: Any, world: dict[str, Any]
) -> None:
    from rucher.conversations.actions import publish

    publish(world["alice"], world["open"], "Annonce réservée aux salariés")
    publish(world["alice"], world["partner"], "Planning du chantier commun")
    sign_in_as("gus")

    # Home: the partner space's post only; the composer offers the partner space only.
    expect(page.locator("#stream-items article")).to_have_count(1)
    expect(page.locator("#stream-items")).to_contain_text("Planning du chantier commun")
    expect(page.locator("main")).not_to_contain_text("Annonce réservée aux salariés")
    options = page.locator("#composer select[name=space] option").all_inner_texts()
    assert [o.strip() for o in options] == ["Partenaires"]
    # No cockpit, no moderation for a guest.
    expect(page.locator("#side-nav a[href^='/cockpit']")).to_have_count(0)

    page.locator("#side-nav a[href='/spaces/']").click()
    # all_inner_texts() does not wait: wait for the new page before reading its list.
    page.wait_for_url("**/spaces/")
    expect(page.locator(".space-card h3 a")).to_have_count(1)
    cards = page.locator(".space-card h3 a").all_inner_texts()
    assert cards == ["Partenaires"]
    for key in INTERNAL_SPACES:
        expect(page.locator("main")).not_to_contain_text(world[key].name)
    expect(page.locator("main a[href='/spaces/new/']")).to_have_count(0)

    page.locator("#side-nav a[href='/people/']").click()
    page.wait_for_url("**/people/")
    expect(page.locator(".person-card a")).to_have_count(2)
    names = sorted(n.strip() for n in page.locator(".person-card a").all_inner_texts())
    assert names == sorted([world["alice"].display_name, world["gus"].display_name])
    # Searching for someone outside the partner space finds no one.
    page.locator("main form[role=search] input[name=q]").fill("bob")
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page.locator(".person-card")).to_have_count(0)

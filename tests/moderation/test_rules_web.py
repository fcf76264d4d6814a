"""The publishing rules pages (/moderation/rules/): lists, forms, errors, query counts, and
the composer's marked preview of what was found."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rucher.moderation import actions
from rucher.moderation.models import OrganisationRules, SpaceRules, WatchedWord

pytestmark = pytest.mark.django_db


def browser(person: Any, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(person)
    return client


def test_an_administrator_adds_changes_and_removes_a_word(world: dict[str, Any]) -> None:
    admin = browser(world["admin"])
    added = admin.post("/moderation/rules/", {"op": "add", "pattern": "idiot", "action": "block"})
    assert added.status_code == 302
    word = WatchedWord.objects.get()
    page = admin.get("/moderation/rules/").content.decode()
    assert "<code>idiot</code>" in page and "Watched words of the organisation" in page
    admin.post(
        "/moderation/rules/",
        {"op": "update", "word": word.pk, "action": "replace", "replacement": "[…]"},
    )
    word.refresh_from_db()
    assert (word.action, word.replacement) == ("replace", "[…]")
    admin.post("/moderation/rules/", {"op": "delete", "word": word.pk})
    assert not WatchedWord.objects.exists()
    admin.post("/moderation/rules/", {"op": "new_accounts", "posts": "2", "days": "10"})
    rules = OrganisationRules.objects.get()
    assert (rules.new_account_posts, rules.new_account_days) == (2, 10)


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"op": "add", "pattern": "", "action": "block"}, 422, "cannot be empty"),
        (
            {"op": "add", "pattern": "(", "mode": "regex", "action": "block"},
            422,
            "does not compile",
        ),
        ({"op": "add", "pattern": "(a+)+$", "mode": "regex", "action": "block"}, 422, "backtracks"),
        ({"op": "add", "pattern": "IDIOT", "action": "hold"}, 409, "already watched"),
        ({"op": "new_accounts", "posts": "-3", "days": "2"}, 422, "whole number"),
    ],
)
def test_bad_input_comes_back_as_a_form_error(
    world: dict[str, Any], form: dict[str, str], status: int, message: str
) -> None:
    actions.add_watched_word(world["admin"], None, "idiot", "word", "block")
    answer = browser(world["admin"]).post("/moderation/rules/", form)
    assert answer.status_code == status
    assert message in answer.content.decode()
    assert WatchedWord.objects.count() == 1
    assert not OrganisationRules.objects.exists()


def test_a_community_manager_sets_their_space_and_not_another(world: dict[str, Any]) -> None:
    alice = browser(world["alice"])
    url = f"/moderation/rules/spaces/{world['open'].pk}/"
    assert alice.post(url, {"op": "slow_mode", "minutes": "5"}).status_code == 302
    assert SpaceRules.objects.get(space=world["open"]).slow_mode_minutes == 5
    alice.post(url, {"op": "add", "pattern": "nul", "action": "flag"})
    word = WatchedWord.objects.get(space=world["open"])
    # Another space's form cannot reach this word (404), bob cannot change this space (403).
    other = f"/moderation/rules/spaces/{world['private'].pk}/"
    assert alice.post(other, {"op": "delete", "word": word.pk}).status_code == 404
    bob = browser(world["bob"])
    assert bob.post(url, {"op": "delete", "word": word.pk}).status_code == 403
    assert bob.post(url, {"op": "slow_mode", "minutes": "0"}).status_code == 403
    assert WatchedWord.objects.filter(pk=word.pk).exists()
    # The organisation page lists alice's spaces, without the organisation's forms.
    page = alice.get("/moderation/rules/").content.decode()
    assert f"/moderation/rules/spaces/{world['open'].pk}/" in page
    assert 'name="op" value="add"' not in page


def test_the_pages_are_in_french(world: dict[str, Any]) -> None:
    actions.set_slow_mode(world["alice"], world["open"], 4)
    page = browser(world["alice"], "fr").get(f"/moderation/rules/spaces/{world['open'].pk}/")
    text = page.content.decode()
    assert "Mots surveillés de cet espace" in text and "Mode lent" in text


def test_the_pages_cost_a_fixed_number_of_queries(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    for n in range(5):
        actions.add_watched_word(world["admin"], None, f"mot{n}", "word", "hold")
        actions.add_watched_word(world["alice"], world["open"], f"mot{n}", "word", "flag")
    admin, alice = browser(world["admin"]), browser(world["alice"])
    admin.get("/moderation/rules/")
    alice.get(f"/moderation/rules/spaces/{world['open'].pk}/")
    # session, account, words, new-account rule, managed spaces, bell, the navigation column
    with django_assert_num_queries(7):
        assert admin.get("/moderation/rules/").status_code == 200
    # session, account, space, membership (manager?), words, slow mode, bell, navigation
    with django_assert_num_queries(9):
        assert alice.get(f"/moderation/rules/spaces/{world['open'].pk}/").status_code == 200


def test_the_composer_marks_what_was_found_in_the_authors_text(world: dict[str, Any]) -> None:
    """A refused text comes back with a preview: each finding (detectors and watched words
    alike) marked where it is, numbered like the list, its reason read out; text escaped."""
    actions.add_watched_word(world["admin"], None, "idiot", "word", "block")
    text = "<b>Quel</b> idiot, carte 4111 1111 1111 1111"
    answer = browser(world["bob"]).post(
        "/posts/new/", {"text": text, "space": world["open"].pk, "kind": "post"}
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "&lt;b&gt;Quel&lt;/b&gt; " in page
    assert '<mark data-kind="watched_word">idiot<sup aria-hidden="true">1</sup>' in page
    assert '<mark data-kind="card">4111 1111 1111 1111<sup aria-hidden="true">2</sup>' in page
    assert "(“idiot” is not allowed here.)" in page


def test_a_flagged_after_publishing_post_shows_its_words_in_the_queue(
    world: dict[str, Any],
) -> None:
    from rucher.activity.models import Event
    from rucher.conversations import actions as conversations
    from rucher.moderation.held import count_watched

    actions.add_watched_word(world["admin"], None, "arnaque", "word", "flag")
    post = conversations.publish(world["bob"], world["open"], "Une belle arnaque")
    count_watched(Event.objects.get(verb="posted", object_id=post.pk))
    page = browser(world["alice"]).get("/moderation/").content.decode()
    assert f'value="content:{post.pk}"' in page
    assert "Watched words found: <mark>arnaque</mark>" in page

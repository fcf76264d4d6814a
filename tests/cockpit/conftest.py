"""Fixtures for the cockpit: its URLs mounted (until the lead includes them in rucher.urls),
a clean cache, and a small organisation written through the actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """These tests read the pages' English labels (French, the default, is tested in
    tests/web/test_translations.py)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def clean_cache() -> Any:
    # Ids restart after a rolled-back test, so a report cached by one test could match the
    # fingerprint of the next one: start every test from an empty cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(world: dict[str, Any], make_person: Callable[..., Any]) -> dict[str, Any]:
    """``world`` plus eight people of the "Ventes" department talking in the open space about
    #jardin (a shows their influence, b does not), three of "Juridique", a secret post about
    #projetsecret, and a community manager ``cm_secret`` who belongs to the secret space."""
    from rucher.conversations.actions import publish, react, reply
    from rucher.spaces.actions import invite, join_space

    long_ago = timezone.now() - timedelta(days=200)
    open_space, secret = world["open"], world["secret"]
    sales = [
        make_person(
            username=f"vente{i}", department="Ventes", date_joined=long_ago, show_influence=(i == 0)
        )
        for i in range(8)
    ]
    legal = [
        make_person(username=f"jur{i}", department="Juridique", date_joined=long_ago)
        for i in range(3)
    ]
    for person in sales + legal:
        join_space(person, open_space)
    posts = [
        publish(p, open_space, f"Le #jardin partagé, idée {i} de {p.username}")
        for i, p in enumerate(sales[:4])
    ]
    for post in posts:
        for person in sales + legal[:1]:
            if person.pk != post.author_id:
                react(person, post, "like")
        for person in sales[4:]:
            reply(person, post, f"Bonne idée sur le #jardin, {person.username}")
    cm_secret = make_person("community_manager", username="cm_secret")
    invite(world["alice"], secret, cm_secret)
    join_space(cm_secret, secret)
    publish(world["carol"], secret, "Avancement du #projetsecret")
    return {**world, "sales": sales, "legal": legal, "cm_secret": cm_secret, "posts": posts}

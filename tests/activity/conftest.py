"""The after-commit machinery is tested on its own: the domains' subscribers (webhooks,
notifications…) registered by their apps' ``ready()`` are set aside for each test here, so a
test sees exactly the subscribers it registers, and put back afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rucher.activity import subscribers


@pytest.fixture(autouse=True)
def only_the_tests_subscribers() -> Iterator[None]:
    kept = [subscribers.subscriber_named(name) for name in list(subscribers._by_name)]
    for subscriber in kept:
        assert subscriber is not None
        subscribers.unsubscribe(subscriber.name)
    yield
    for subscriber in kept:
        assert subscriber is not None
        subscribers.unsubscribe(subscriber.name)  # a test may have registered the same name
        subscribers.subscribe(
            *sorted(subscriber.verbs),
            handler=subscriber.handler,
            name=subscriber.name,
            max_attempts=subscriber.max_attempts,
        )

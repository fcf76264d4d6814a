"""Fixtures for the web pages: signed-in test clients for the people of ``world``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def client_for(db: Any) -> Callable[[Any], Client]:
    def make(person: Any) -> Client:
        client = Client()
        client.force_login(person)
        return client

    return make

"""The API's stream pages are built from plain values (streams/rows.py): field by field, they
must be what the model instances give, for every kind of reader, and valid against the
schema the API documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.responses import NinjaJSONEncoder

from rucher.api.routers.streams import item_out, rows_out
from rucher.api.schemas import StreamPageOut
from rucher.conversations import actions
from rucher.streams import rows
from rucher.streams.queries import (
    PageIds,
    StreamFilters,
    home_ids,
    with_models,
    with_rows,
)

pytestmark = pytest.mark.django_db


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=NinjaJSONEncoder))


def _model_body(reader: Any, found: PageIds) -> Any:
    page = with_models(reader, found)
    body = {
        "items": [item_out(item, page.my_reactions) for item in page.items],
        "next_cursor": page.next_cursor,
    }
    return _as_json(StreamPageOut.model_validate(body).model_dump())


@pytest.fixture
def busy(world: dict[str, Any]) -> dict[str, Any]:
    alice, bob, carol, gus = world["alice"], world["bob"], world["carol"], world["gus"]
    first = actions.publish(alice, world["open"], "Bonjour #accueil #budget")
    actions.react(bob, first, "like")
    actions.react(alice, first, "celebrate")
    actions.reply(bob, first, "Merci !")
    actions.edit(alice, first, "Bonjour à tous #accueil #budget")
    actions.publish(carol, world["confidential"], "Chiffres confidentiels #budget")
    actions.publish(carol, world["secret"], "Projet secret", kind="question")
    actions.publish(gus, world["partner"], "Côté partenaire")
    actions.publish(bob, None, "Sur mon profil")
    actions.share(carol, first, world["private"], "À lire")
    for n in range(4):
        actions.publish(alice, world["open"], f"Message {n}")
    return world


@pytest.mark.parametrize("name", ["alice", "bob", "carol", "gus", "cm", "admin"])
@pytest.mark.parametrize(
    "shape",
    [
        {},
        {"limit": 2},
        {"filters": StreamFilters(kind="question")},
        {"filters": StreamFilters(topic="budget")},
    ],
)
def test_plain_rows_give_the_model_pages_json(
    busy: dict[str, Any], name: str, shape: dict[str, Any]
) -> None:
    reader = busy[name]
    cursor = None
    for _ in range(10):  # every page, through the cursors
        found = home_ids(reader, cursor=cursor, **shape)
        plain = _as_json(rows_out(with_rows(reader, found)))
        assert plain == _model_body(reader, found)
        StreamPageOut.model_validate(plain)
        cursor = found.next_cursor
        if cursor is None:
            break


def test_rows_keep_the_order_and_leave_out_what_the_policy_refuses(
    busy: dict[str, Any],
) -> None:
    bob = busy["bob"]
    secret = actions.publish(busy["carol"], busy["secret"], "Toujours secret")
    visible = home_ids(bob).ids
    # Ids found elsewhere (a forged or stale list): the policy still has the last word.
    asked = [secret.pk, *reversed(visible)]
    assert [row.pk for row in rows.read(bob, asked)] == list(reversed(visible))


def test_a_cold_page_of_rows_costs_two_statements_whatever_its_size(
    busy: dict[str, Any],
) -> None:
    alice = busy["alice"]
    for size in (2, 6):
        found = home_ids(alice, limit=size)
        rows.read(alice, found.ids)  # the shape compiled once
        with CaptureQueriesContext(connection) as queries:
            page = rows.read(alice, found.ids)
        assert len(page) == size
        assert len(queries) == 2  # the rows with my reactions, the topics

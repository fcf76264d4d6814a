"""A small loader of the four contract frames from the product's models.

Used only while ``rucher.insights_db`` (the insights helper's loader) is not installed; the
cockpit prefers that one. Deleted content is left out (it is no longer part of the
conversation); its events stay, as in the log.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import polars as pl

from rucher.activity.models import Event
from rucher.conversations.models import Content
from rucher.insights.contract import TABLES, Dataset
from rucher.people.models import Person
from rucher.spaces.models import Space

PEOPLE_KIND = {"partner": "partner"}  # community managers and admins are employees too


def _rows(table: str, rows: list[Any], columns: tuple[str, ...]) -> pl.DataFrame:
    """Rows typed by the contract's schema (no guessing from the first rows)."""
    schema = {column: TABLES[table][column] for column in columns}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _frame(table: str, data: dict[str, list[Any]]) -> pl.DataFrame:
    return pl.DataFrame(data, schema={column: TABLES[table][column] for column in data})


def _people() -> pl.DataFrame:
    rows = Person.objects.values_list(
        "id",
        "first_name",
        "last_name",
        "username",
        "department__name",
        "site__name",
        "kind",
        "organisation__name",
        "manager_id",
        "date_joined",
        "left_at",
    )
    data: dict[str, list[Any]] = defaultdict(list)
    for pk, first, last, username, dept, site, kind, org, manager, joined, left in rows:
        data["person_id"].append(pk)
        data["display_name"].append(f"{first} {last}".strip() or username)
        data["department"].append(dept)
        data["site"].append(site)
        data["kind"].append(PEOPLE_KIND.get(kind, "employee"))
        data["organisation"].append(org)
        data["manager_id"].append(manager)
        data["joined_at"].append(joined)
        data["left_at"].append(left)
    return _frame("people", dict(data)) if data else pl.DataFrame()


def _spaces() -> pl.DataFrame:
    columns = ("space_id", "name", "kind", "visibility", "parent_id", "created_at")
    rows = list(
        Space.objects.values_list("id", "name", "kind", "visibility", "parent_id", "created_at")
    )
    return _rows("spaces", rows, columns) if rows else pl.DataFrame()


def _content() -> pl.DataFrame:
    published = Content.objects.filter(status=Content.Status.PUBLISHED)
    topics: dict[int, list[str]] = defaultdict(list)
    through = Content.topics.through.objects.filter(content__status=Content.Status.PUBLISHED)
    for content_id, name in through.values_list("content_id", "topic__name"):
        topics[content_id].append(name)
    columns = (
        "content_id",
        "kind",
        "author_id",
        "space_id",
        "parent_id",
        "root_id",
        "created_at",
        "text",
        "lang",
        "accepted",
    )
    rows = list(published.order_by().values_list(*(c.replace("content_id", "id") for c in columns)))
    if not rows:
        return pl.DataFrame()
    frame = _rows("content", rows, columns)
    return frame.with_columns(
        pl.Series("topics", [topics.get(row[0], []) for row in rows], dtype=pl.List(pl.Utf8)),
        pl.col("lang").replace("", None),
    )


def _events() -> pl.DataFrame:
    columns = (
        "event_id",
        "at",
        "actor_id",
        "verb",
        "object_type",
        "object_id",
        "space_id",
        "target_id",
        "value",
    )
    rows = list(
        Event.objects.order_by("id").values_list(
            "id",
            "at",
            "actor_id",
            "verb",
            "object_type",
            "object_id",
            "space_id",
            "target_id",
            "value",
        )
    )
    return _rows("events", rows, columns) if rows else pl.DataFrame()


def frames_from_models() -> Dataset:
    frames = {"people": _people(), "spaces": _spaces(), "content": _content(), "events": _events()}
    return Dataset(**{name: frame for name, frame in frames.items() if frame.width})

"""The database as the four contract tables (people, spaces, content, events).

One place for it: ``rucher export`` writes it to files, ``rucher insights report`` and the
cockpit compute on it. Deleted content is left out (it may be restored by a moderator, but it
is not published); so are the content and events of the spaces the read policy keeps out
(``permissions.analysable_spaces``: confidential spaces for whatever leaves rucher, the spaces a
viewer cannot read for the cockpit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from rucher.activity.models import Event
from rucher.conversations.models import Content
from rucher.insights.contract import Dataset
from rucher.messaging.models import Participant
from rucher.people.models import Person
from rucher.sentiment.models import ContentSentiment
from rucher.spaces import permissions
from rucher.spaces.models import Space

CONTENT_TYPES = ("post", "comment", "question", "answer", "poll")
# Direct messages' events never leave as they are (docs/messaging.md).
MESSAGE_VERBS = ("sent_message", "reacted_to_message", "unreacted_to_message")


@dataclass
class LeftOut:
    confidential_spaces: int = 0
    confidential_content: int = 0
    confidential_events: int = 0
    deleted_content: int = 0

    def __str__(self) -> str:
        return (
            f"left out: {self.confidential_content} content item(s) and "
            f"{self.confidential_events} event(s) of {self.confidential_spaces} "
            f"confidential space(s), {self.deleted_content} deleted content item(s)"
        )


def message_rows() -> list[dict[str, Any]]:
    """Who wrote to whom, never what: each direct message as one ``messaged`` row per
    recipient (the contract's row per interaction; the rows of one message share its event
    id), without the conversation's id. Only called where the organisation allows it
    (``RUCHER_MESSAGING_IN_INSIGHTS``). Two queries."""
    members: dict[int, list[int]] = {}
    for conversation_id, person_id in Participant.objects.values_list(
        "conversation_id", "person_id"
    ).iterator(chunk_size=20_000):
        members.setdefault(conversation_id, []).append(person_id)
    rows: list[dict[str, Any]] = []
    for pk, at, actor, about in (
        Event.objects.filter(verb="sent_message", object_type="conversation")
        .order_by("pk")
        .values_list("pk", "at", "actor_id", "object_id")
        .iterator(chunk_size=20_000)
    ):
        for recipient in members.get(about or 0, []):
            if recipient != actor:
                rows.append(
                    {
                        "event_id": pk,
                        "at": at,
                        "actor_id": actor,
                        "verb": "messaged",
                        "object_type": None,
                        "object_id": None,
                        "space_id": None,
                        "target_id": recipient,
                        "value": None,
                    }
                )
    return rows


def build_export(
    *,
    spaces: QuerySet[Space] | None = None,
    list_confidential_spaces: bool = False,
    count_left_out: bool = False,
) -> tuple[Dataset, LeftOut]:
    """The database as contract tables, minus deleted content and minus the content and
    events of every space outside ``spaces``: the spaces the read policy lets enter figures
    or files (``permissions.analysable_spaces``; by default what may leave rucher, so never
    a confidential space). ``list_confidential_spaces`` adds the confidential spaces' own
    rows to the spaces table, never their content. ``count_left_out`` counts what stayed out
    (``rucher export`` says it; the cockpit does not need the extra queries)."""
    if spaces is None:
        spaces = permissions.analysable_spaces(None, leaving_rucher=True)
    # Content and events of these spaces stay out (profile posts have no space: they stay).
    # A subquery, not a list: the database filters, whatever the number of spaces.
    outside = Space.objects.exclude(id__in=spaces.values("id")).values("id")
    left_out = LeftOut()
    person_fields = (
        "pk",
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
    people = pl.DataFrame(
        [
            {
                "person_id": row["pk"],
                "display_name": f"{row['first_name']} {row['last_name']}".strip()
                or row["username"],
                "department": row["department__name"],
                "site": row["site__name"],
                "kind": "partner" if row["kind"] == Person.Kind.PARTNER else "employee",
                "organisation": row["organisation__name"],
                "manager_id": row["manager_id"],
                "joined_at": row["date_joined"],
                "left_at": row["left_at"],
            }
            for row in Person.objects.order_by("pk").values(*person_fields)
        ],
        infer_schema_length=None,
    )
    spaces_query = Space.objects.filter(
        pk__in=spaces.values("id")
        if not list_confidential_spaces
        else (spaces | Space.objects.filter(confidential=True)).values("id")
    ).order_by("pk")
    space_rows: list[dict[str, Any]] = [
        dict(row)
        for row in spaces_query.values(
            "pk", "name", "kind", "visibility", "parent_id", "created_at"
        )
    ]
    listed = {row["pk"] for row in space_rows}
    for row in space_rows:
        # A hub left out leaves its sub-spaces at the top level, never a dangling id.
        if row["parent_id"] not in listed:
            row["parent_id"] = None
    spaces_frame = (
        pl.DataFrame(space_rows, infer_schema_length=None).rename({"pk": "space_id"})
        if space_rows
        else None
    )
    published = Content.objects.filter(status=Content.Status.PUBLISHED)
    exported = published.exclude(space_id__in=outside)
    hidden_content = Content.objects.filter(space_id__in=outside).values("id")
    # An event of a space left out, or about content of one (a reaction to it, say), stays out.
    events = (
        Event.objects.exclude(space_id__in=outside)
        .exclude(object_type__in=CONTENT_TYPES, object_id__in=hidden_content)
        .exclude(verb__in=MESSAGE_VERBS)
    )
    if count_left_out:
        left_out.confidential_spaces = Space.objects.filter(
            id__in=outside, confidential=True
        ).count()
        left_out.deleted_content = Content.objects.exclude(status=Content.Status.PUBLISHED).count()
        left_out.confidential_content = published.filter(space_id__in=outside).count()
        left_out.confidential_events = Event.objects.count() - events.count()
    topics: dict[int, list[str]] = {}
    through = Content.topics.through.objects.filter(content__in=exported)
    for content_id, name in (
        through.order_by("topic__name")
        .values_list("content_id", "topic__name")
        .iterator(chunk_size=10_000)
    ):
        topics.setdefault(content_id, []).append(name)
    content_fields = (
        "pk",
        "kind",
        "author_id",
        "space_id",
        "parent_id",
        "root_id",
        "created_at",
        "text",
        "lang",
        "accepted",
        "poll__kind",
        "stored_sentiment",
    )
    content_rows = [
        {
            "content_id": row["pk"],
            "kind": row["kind"],
            "author_id": row["author_id"],
            "space_id": row["space_id"],
            "parent_id": row["parent_id"],
            "root_id": row["root_id"] or row["pk"],  # the contract's roots are their own root
            "created_at": row["created_at"],
            "text": row["text"],
            "lang": row["lang"] or None,
            "topics": topics.get(row["pk"], []),
            "accepted": row["accepted"] if row["kind"] == Content.Kind.ANSWER else None,
            "poll_kind": row["poll__kind"] if row["kind"] == Content.Kind.POLL else None,
            "sentiment": row["stored_sentiment"],
        }
        for row in exported.annotate(
            # The stored sentiment (rucher.sentiment) in the same query: no query of its own.
            stored_sentiment=Subquery(
                ContentSentiment.objects.filter(content_id=OuterRef("pk")).values("score")[:1]
            )
        )
        .order_by("pk")
        .values(*content_fields)
        .iterator(chunk_size=10_000)
    ]
    event_rows: list[dict[str, Any]] = []
    for pk, at, actor, verb, object_type, object_id, space, target, value in (
        events.order_by("pk")
        .values_list(
            "pk",
            "at",
            "actor_id",
            "verb",
            "object_type",
            "object_id",
            "space_id",
            "target_id",
            "value",
        )
        .iterator(chunk_size=20_000)
    ):
        event_rows.append(
            {
                "event_id": pk,
                "at": at,
                "actor_id": actor,
                "verb": verb,
                "object_type": object_type or None,
                "object_id": object_id,
                "space_id": space,
                "target_id": target,
                "value": value,
            }
        )
    if settings.RUCHER_MESSAGING_IN_INSIGHTS:
        event_rows = sorted(event_rows + message_rows(), key=lambda row: int(row["event_id"]))
    frames: dict[str, pl.DataFrame] = {}
    for table, rows in (("content", content_rows), ("events", event_rows)):
        if rows:
            frames[table] = pl.DataFrame(rows, infer_schema_length=None)
    if people.height:
        frames["people"] = people
    if spaces_frame is not None:
        frames["spaces"] = spaces_frame
    return Dataset(**frames), left_out

"""What an endpoint is told: the payload of each event type, built from the current state of
what the event names, and the scope rule deciding which endpoints may hear of it.

**Scope** (docs/webhooks.md, "What an endpoint sees"). An endpoint is an organisation-level
integration, not a person, so it is given the audience every employee shares: content of open
internal spaces, profile posts, and joins of open internal spaces. Private, secret and
partner-shared spaces only reach an endpoint with ``include_private_spaces``; confidential
spaces only one with ``include_confidential`` (their own flag, whatever the visibility), the
rule the read policy applies to whatever leaves rucher
(``permissions.analysable_spaces(leaving_rucher=True)``).

Content that is no longer published (deleted since, or in a deleted thread) is not sent: a
handler reads the current state, not the order of arrival.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from rucher.activity.models import Event
from rucher.conversations.models import Content
from rucher.moderation.models import Flag
from rucher.people.models import Person
from rucher.spaces.models import Space
from rucher.webhooks import events
from rucher.webhooks.models import Endpoint

SCHEMA_VERSION = 1


def sees_space(endpoint: Endpoint, space: Space | None) -> bool:
    """May ``endpoint`` hear of what happens in ``space`` (None: a profile post)?"""
    if space is None:
        return True  # profile posts: every employee reads them
    if space.confidential and not endpoint.include_confidential:
        return False
    everyone_reads = space.visibility == Space.Visibility.OPEN and space.kind == Space.Kind.INTERNAL
    return everyone_reads or endpoint.include_private_spaces


def person_out(person: Person) -> dict[str, Any]:
    return {"id": person.pk, "username": person.username, "display_name": person.display_name}


def space_out(space: Space | None) -> dict[str, Any] | None:
    if space is None:
        return None
    return {
        "id": space.pk,
        "name": space.name,
        "slug": space.slug,
        "visibility": space.visibility,
        "kind": space.kind,
        "confidential": space.confidential,
    }


def content_out(content: Content) -> dict[str, Any]:
    return {
        "id": content.pk,
        "kind": content.kind,
        # The page on rucher, relative to the site's address (rucher does not know its own).
        "path": f"/posts/{content.root_id or content.pk}/",
        "text": content.text,
        "html": content.html,
        "created_at": content.created_at.isoformat(),
        "author": person_out(content.author),
        "space": space_out(content.space),
        "parent_id": content.parent_id,
        "root_id": content.root_id,
        "topics": sorted(topic.name for topic in content.topics.all()),
    }


def _published(content_id: int | None) -> Content | None:
    if content_id is None:
        return None
    return (
        Content.objects.select_related("author", "space", "parent__author", "parent__space")
        .prefetch_related("topics")
        .filter(pk=content_id, status=Content.Status.PUBLISHED)
        .exclude(root__status=Content.Status.DELETED)
        .first()
    )


Built = tuple[Space | None, dict[str, Any]]


def _content_event(event: Event) -> Built | None:
    content = _published(event.object_id)
    if content is None:
        return None
    return content.space, {"content": content_out(content)}


def _answer_event(event: Event, accepted: bool) -> Built | None:
    answer = _published(event.object_id)
    if answer is None or answer.parent is None:
        return None
    question = answer.parent
    if question.status != Content.Status.PUBLISHED:
        return None
    data: dict[str, Any] = {
        "answer": content_out(answer),
        "question": {
            "id": question.pk,
            "path": f"/posts/{question.pk}/",
            "text": question.text,
            "author": person_out(question.author),
        },
    }
    if accepted:
        actor = Person.objects.filter(pk=event.actor_id).first()
        data["accepted_by"] = person_out(actor) if actor is not None else None
    return answer.space, data


def _member_event(event: Event) -> Built | None:
    if event.space_id is None:
        return None
    space = Space.objects.filter(pk=event.space_id).first()
    person = Person.objects.filter(pk=event.actor_id).first()
    if space is None or person is None:
        return None
    return space, {"space": space_out(space), "person": person_out(person)}


def _flag_event(event: Event) -> Built | None:
    """A flag: its reason and the item flagged (content while published, or a profile).
    Neither the flagger nor their free text leaves rucher: flags are the moderators' to read
    (the text may itself hold what was flagged as sensitive)."""
    if event.object_id is None:
        return None
    flags = Flag.objects.select_related("item").filter(flagger_id=event.actor_id)
    if event.object_type == "person":
        flag = flags.filter(item__profile_id=event.object_id).first()
        person = Person.objects.filter(pk=event.object_id, is_active=True).first()
        if flag is None or person is None:
            return None
        item: dict[str, Any] = {
            "type": "person",
            "id": person.pk,
            "path": f"/people/{person.pk}/",
            "author": person_out(person),
        }
        space = None
    else:
        flag = flags.filter(item__content_id=event.object_id).first()
        content = _published(event.object_id)
        if flag is None or content is None:
            return None
        item = {
            "type": content.kind,
            "id": content.pk,
            "path": f"/posts/{content.root_id or content.pk}/",
            "author": person_out(content.author),
        }
        space = content.space
    data = {
        "flag": {
            "reason": flag.reason,
            "created_at": flag.created_at.isoformat(),
            "open_flags": flag.item.flag_count,
        },
        "item": item,
        "space": space_out(space),
    }
    return space, data


def build(code: str, event: Event) -> Built | None:
    """The space the event happened in and the payload's ``data``; None when what the event
    names is gone (nothing is sent)."""
    if code in (events.POST_CREATED, events.COMMENT_CREATED):
        return _content_event(event)
    if code == events.QUESTION_ANSWERED:
        return _answer_event(event, accepted=False)
    if code == events.ANSWER_ACCEPTED:
        return _answer_event(event, accepted=True)
    if code == events.MEMBER_JOINED:
        return _member_event(event)
    if code == events.FLAG_RAISED:
        return _flag_event(event)
    return None


def envelope(
    code: str, event_id: int | None, occurred_at: str, data: dict[str, Any]
) -> dict[str, Any]:
    """The body of every delivery (docs/webhooks.md; payload.schema.json)."""
    return {
        "version": SCHEMA_VERSION,
        "type": code,
        "event_id": event_id,
        "occurred_at": occurred_at,
        "data": data,
    }


SCHEMA_PATH = Path(__file__).with_name("payload.schema.json")


@cache
def json_schema() -> dict[str, Any]:
    """The JSON Schema of every payload (served at /api/v1/webhooks/schema)."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded

"""permissions.space_readers(space) is visible_content read the other way round: for every
account kind, membership status and space, the people it returns are exactly those for whom
``Content.objects.visible_to(person)`` holds a published item of that space."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.utils import timezone

from rucher.conversations.models import Content
from rucher.people.models import Person
from rucher.spaces import permissions
from rucher.spaces.models import Membership, Space

pytestmark = pytest.mark.django_db

KINDS = [k.value for k in Person.Kind]
STATUSES = [None, *[s.value for s in Membership.Status]]


def test_space_readers_match_visible_content_for_every_account_and_space(
    make_person: Any,
) -> None:
    owner = make_person(username="owner")
    spaces = [
        Space.objects.create(
            name=f"{visibility} {kind} {confidential}",
            slug=f"{visibility}-{kind}-{int(confidential)}",
            visibility=visibility,
            kind=kind,
            confidential=confidential,
            created_by=owner,
        )
        for visibility, kind, confidential in itertools.product(
            [v.value for v in Space.Visibility], [k.value for k in Space.Kind], (False, True)
        )
    ]
    people = [owner]
    # Every account kind, active or not, with every membership status in every space (one
    # person per kind, status and activity: the status is the same in all spaces).
    for kind, status, active in itertools.product(KINDS, STATUSES, (True, False)):
        person = make_person(kind, username=f"{kind[:4]}-{status or 'none'}-{int(active)}")
        if not active:
            Person.objects.filter(pk=person.pk).update(is_active=False)
            person.refresh_from_db()
        if status is not None:
            Membership.objects.bulk_create(
                [Membership(space=s, person=person, status=status) for s in spaces]
            )
        people.append(person)
    now = timezone.now()
    items = {
        space.pk if space else None: Content.objects.create(
            kind="post", author=owner, space=space, text="x", html="x", created_at=now
        )
        for space in [*spaces, None]
    }
    checked = 0
    for space in [*spaces, None]:
        item = items[space.pk if space else None]
        expected = {
            p.pk for p in people if Content.objects.visible_to(p).filter(pk=item.pk).exists()
        }
        assert (
            set(permissions.space_readers(space).values_list("pk", flat=True))
            & {p.pk for p in people}
            == expected
        ), space
        checked += 1
    assert checked == len(spaces) + 1
    # the matrix is not trivially empty or full
    open_internal = next(s for s in spaces if s.visibility == "open" and s.kind == "internal")
    readers = set(permissions.space_readers(open_internal).values_list("kind", flat=True))
    assert "partner" in {p.kind for p in people} and "partner" not in readers
    assert readers >= {"employee", "community_manager", "admin"}


def test_a_reply_is_read_by_the_readers_of_its_space(world: dict[str, Any]) -> None:
    from rucher.conversations import actions

    post = actions.publish(world["alice"], world["partner"], "Bonjour")
    reply = actions.reply(world["gus"], post, "Merci")
    for person in Person.objects.all():
        reads = Content.objects.visible_to(person).filter(pk=reply.pk).exists()
        assert reads == permissions.space_readers(world["partner"]).filter(pk=person.pk).exists()

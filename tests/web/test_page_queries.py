"""The hot pages cost a fixed number of SQL queries, whatever the amount of content: the
space stream, a thread and the directory (the home page: test_home_queries.py).

Each page is measured on a small organisation, then again after it grew (more people, posts,
replies, reactions, topics and mentions): the counts must be equal, and are pinned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

# Every full page: the navigation column's spaces with their unread marks (one query).
# session, user, the space by slug, "may read it", the reader's membership, the hub's
# sub-spaces, following, muted, the page's items (author, department, space joined), their
# topics, my reactions, the daily "viewed" event (an insert that ignores repeats), the
# composer's member list, the header's unread notifications (the bell), the reader's feed key
# (the page's <link rel="alternate">), the space's rules above the composer (rucher.charter),
# the kudos given in the space (rucher.recognition), the navigation column
SPACE_PAGE = 18
# session, user, the root (author, department, space), the "viewed" event, the replies, my
# reactions, attachments, share targets, my membership, the poll (none), the changes of the
# vector matrix (related content; the root has no vector here: no related rows read), the
# root's topics, the bell, the navigation column
THREAD_PAGE = 14
# session, user, the count for the pager, departments and sites for the filters, the page,
# the bell, the page's privacy settings (one query for the whole page: privacy/visibility.py),
# the navigation column
DIRECTORY_PAGE = 9
# a profile: its owner's and its reports' privacy settings in one query, shared spaces in one;
# recognition: the kudos received, the badges (with the owner's choice), the kudos list and
# the spaces the kudos may also be shown in (the form); the navigation column
PROFILE_PAGE = 19


def count(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), [q["sql"][:200] for q in captured.captured_queries]


@pytest.mark.parametrize(
    ("page", "pinned"),
    [("space", SPACE_PAGE), ("thread", THREAD_PAGE), ("directory", DIRECTORY_PAGE)],
)
def test_hot_pages_cost_a_fixed_number_of_queries(
    world: dict[str, Any],
    grow: Callable[..., Any],
    client_for: Callable[[Any], Client],
    page: str,
    pinned: int,
) -> None:
    client = client_for(world["bob"])

    def url() -> str:
        return {
            "space": f"/spaces/{world['open'].slug}/",
            "thread": f"/posts/{world['root'].pk}/",
            "directory": "/people/",
        }[page]

    grow(2)
    client.get(url())  # the first read of the day writes its "viewed" event
    small, _sql = count(client, url())
    grow(10)
    large, sql = count(client, url())
    assert small == large, sql
    assert large == pinned, sql


def test_a_profile_page_costs_the_same_whatever_the_privacy_settings(
    world: dict[str, Any], grow: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    """The owner's settings and the viewer's shared spaces: a fixed number of queries, with
    many reports on the page (each shown as its owner allows)."""
    from rucher.people.models import Person
    from rucher.privacy.actions import update_privacy

    client = client_for(world["bob"])
    url = f"/people/{world['alice'].pk}/"
    client.get(url)
    few, _sql = count(client, url)
    for n in range(6):
        report = Person.objects.create_user(username=f"report{n}", manager=world["alice"])
        update_privacy(report, fields={"job_title": "my_spaces", "site": "nobody"})
    update_privacy(world["alice"], fields={"bio": "my_spaces"}, activity="my_spaces")
    many, sql = count(client, url)
    assert many <= few + 2, sql  # the settings rows and the shared spaces, once each
    assert many == PROFILE_PAGE, sql

"""A cockpit page costs a fixed number of SQL queries: cold (the report computed from the
contract frames, one query each) and warm (the cached report, found by its fingerprint),
whatever the amount of data."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rucher.conversations import actions

pytestmark = pytest.mark.django_db

# Warm, on /cockpit/ (14): session, user, the viewer's readable spaces, the fingerprint
# (latest event, latest content, latest sentiment, people count), then the page's own lists:
# readable spaces for the scope menu, every space's name, the people named in the panels,
# space names again (the panels' labels), the spaces the viewer may open, departments,
# partner organisations, the header's unread notifications (the bell), the navigation
# column's spaces.
# Cold adds the frames (5): people, spaces, content topics, content, events (the spaces the
# viewer may not analyse are a subquery of each, not a query of their own).
# The moderation panel adds 4 to both (flags per space and week, the decided items' times,
# the held posts' outcomes, watched-word hits; read from moderation's tables, not cached).
# Since the cockpit has one page per question (issue 15), the overview shows figure cards
# only: no moderation panel (now on the "attention" page: 4 fewer), no influence names, no
# space names for profiles (3 fewer), but a second cached report, the previous period's
# weekly series, found by its own fingerprint (3 more); its frames are the ones already read.
# The fingerprint reads the latest stored sentiment too (1 more per fingerprint: sentiment
# is stored after the fact, without an event, and changes the opinion figures).
PINNED = {
    "overview": ("/cockpit/", 22, 17),
    # A space page reads the space and "may read it" (2 more) and has no menu of spaces to
    # open, departments and partners (3 fewer): 21 cold, 16 warm.
    "space": ("/cockpit/spaces/{open}/", 21, 16),
}


def _count(client: Any, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), [q["sql"][:160] for q in captured.captured_queries]


@pytest.mark.parametrize("page", sorted(PINNED))
def test_a_cockpit_page_costs_a_fixed_number_of_queries(
    org: dict[str, Any], client_for: Any, page: str
) -> None:
    template, cold_pin, warm_pin = PINNED[page]
    url = template.format(open=org["open"].pk)
    client = client_for(org["cm"])
    cold, cold_sql = _count(client, url)
    warm, warm_sql = _count(client, url)
    assert (cold, warm) == (cold_pin, warm_pin), (cold_sql, warm_sql)
    for i in range(10):  # more data: a new fingerprint, so a cold page again
        post = actions.publish(org["alice"], org["open"], f"encore {i} #jardin @bob")
        actions.reply(org["bob"], post, "oui")
    again, again_sql = _count(client, url)
    assert again == cold, again_sql


def test_a_sentiment_stored_after_the_fact_renews_the_cached_report(org: dict[str, Any]) -> None:
    from django.utils import timezone

    from rucher.cockpit import data
    from rucher.conversations.models import Content
    from rucher.sentiment.models import ContentSentiment

    before = data._fingerprint()
    item = Content.objects.order_by("pk").first()
    assert item is not None
    ContentSentiment.objects.update_or_create(
        content=item,
        defaults={
            "score": 0.5,
            "lang": "fr",
            "model_version": "test",
            "text_hash": "0" * 32,
            "scored_at": timezone.now(),
        },
    )
    after = data._fingerprint()
    assert after != before and after["latest_sentiment_at"] is not None

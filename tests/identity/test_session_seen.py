"""A session's "last seen" (shown on /settings/sessions/) follows its use, written at most
once a minute: a request inside the minute adds no query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from rucher.people.models import SessionRecord

pytestmark = pytest.mark.django_db
LONG_AGO = datetime.fromisoformat("2020-01-01T00:00:00+00:00")


def signed_in(make_person: Any) -> tuple[Client, SessionRecord]:
    client = Client()
    client.force_login(make_person(username="alice"))
    record = SessionRecord.objects.get(session_key=client.session.session_key)
    SessionRecord.objects.filter(pk=record.pk).update(last_seen_at=LONG_AGO)
    return client, record


def test_inside_the_minute_nothing_is_written(
    make_person: Any, django_assert_num_queries: Any
) -> None:
    client, record = signed_in(make_person)
    client.get("/settings/sessions/")  # warm
    # session, person, records, unread count, the navigation column's spaces: no write
    with django_assert_num_queries(5):
        client.get("/settings/sessions/")
    record.refresh_from_db()
    assert record.last_seen_at == LONG_AGO


def test_past_the_minute_it_is_written_once(make_person: Any) -> None:
    client, record = signed_in(make_person)
    session = client.session
    session[SessionRecord.SEEN_KEY] = 0  # its last note is old
    session.save()
    page = client.get("/settings/sessions/")
    record.refresh_from_db()
    assert record.last_seen_at > LONG_AGO
    assert client.session[SessionRecord.SEEN_KEY] > 0  # noted: the next minute is free
    assert page.status_code == 200

"""After the demo's bulk load, its accounts find real notifications (the fan-out run over
their recent events), a few of them unread, and the pages show them."""

from __future__ import annotations

import time
from typing import Any

import pytest

from rucher.notifications import queries
from rucher.notifications.models import Notification
from rucher.people.models import Person


@pytest.mark.django_db
def test_the_demo_accounts_have_notifications(client_for: Any) -> None:
    from rucher.commands.demo import load_demo

    started = time.perf_counter()
    summary = load_demo(11, people=80, items=3000, progress=False)
    elapsed = time.perf_counter() - started
    assert "notifications" in summary, summary
    employe = Person.objects.get(username="employe")
    kinds = set(Notification.objects.filter(recipient=employe).values_list("kind", flat=True))
    assert "new_post" in kinds and len(kinds) >= 2, kinds
    shown = queries.page(employe).items
    assert shown and all(s.text and s.url for s in shown)
    assert queries.unread_count(employe) < Notification.objects.filter(recipient=employe).count()
    for username in ("partenaire", "admin"):
        person = Person.objects.get(username=username)
        assert "mention" in [s.kind for s in queries.page(person).items], username
        assert queries.unread_count(person) >= 1
    page = client_for(employe).get("/notifications/").content.decode()
    assert shown[0].actors[0] in page and "notification-text" in page
    print(f"demo loaded with notifications in {elapsed:.1f} s: {summary}")

"""The demo organisation comes with a few kudos (through the real action) and the badges its
bulk-loaded history earned, told to the demo accounts by the real fan-out."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.notifications.models import Kind, Notification
from rucher.people.models import Person
from rucher.recognition.models import BadgeAward, Kudos


@pytest.mark.django_db
def test_the_demo_has_kudos_and_badges(client_for: Any) -> None:
    from rucher.commands.demo import load_demo

    summary = load_demo(11, people=80, items=3000, progress=False)
    assert "kudos" in summary and "badges" in summary, summary
    employe = Person.objects.get(username="employe")
    assert Kudos.objects.filter(recipient=employe).count() >= 2
    assert Kudos.objects.filter(space__isnull=False).exists()
    assert BadgeAward.objects.count() > 10
    assert Notification.objects.filter(recipient=employe, kind=Kind.KUDOS).exists()
    page = client_for(employe).get(f"/people/{employe.pk}/").content.decode()
    assert "Bravo pour la documentation du nouvel outil" in page
    assert "Décerné le" in page

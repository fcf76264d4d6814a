"""Each read of a confidential space's content is recorded (spaces/confidential.py), on every
page that shows it."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.conversations import actions
from rucher.spaces.models import ConfidentialRead

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/topics/budget/", "/people/{author}/"])
def test_web_streams_record_confidential_reads(
    world: dict[str, Any], path: str, client_for: Any
) -> None:
    """The API streams record every confidential item shown; so do the web home, topic and
    profile streams."""
    alice, carol = world["alice"], world["carol"]
    item = actions.publish(carol, world["confidential"], "Plan social #budget")
    before = ConfidentialRead.objects.filter(person=alice).count()
    page = client_for(alice).get(path.format(author=carol.pk))
    assert page.status_code == 200 and item.html in page.content.decode()
    assert ConfidentialRead.objects.filter(person=alice).count() > before

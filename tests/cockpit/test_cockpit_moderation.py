"""The cockpit's moderation panel: flags per space and week, the median time from a flag to
its decision, the share of held posts released or deleted; only the spaces the viewer
reviews; watched-word hits; four queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rucher.activity.models import Event
from rucher.cockpit.data import default_period
from rucher.cockpit.panels.moderation import moderation_panel
from rucher.conversations import actions as conversations
from rucher.conversations.models import Content
from rucher.moderation import actions as moderation
from rucher.moderation.held import count_watched
from rucher.moderation.models import FlaggedItem
from rucher.moderation.queries import ItemRef

pytestmark = pytest.mark.django_db


def _figures(panel: Any) -> dict[str, Any]:
    return {str(row[0]): row[1].value for row in panel.tables[0].rows}


def _held(world: dict[str, Any], text: str) -> Content:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    Content.objects.filter(pk=post.pk).update(
        status=Content.Status.HELD, sensitive={"action": "hold", "findings": []}
    )
    FlaggedItem.objects.create(
        content=post,
        space=world["open"],
        author=world["alice"],
        flag_count=0,
        first_flagged_at=timezone.now(),
        last_flagged_at=timezone.now(),
    )
    return post


def test_figures_of_the_panel(world: dict[str, Any]) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    post = conversations.publish(alice, world["open"], "Un message discutable")
    moderation.flag(bob, ItemRef("content", post.pk), "spam")
    moderation.flag(world["cm"], ItemRef("content", post.pk), "off_topic")
    hour_ago = timezone.now() - timedelta(hours=3)
    FlaggedItem.objects.filter(content=post).update(first_flagged_at=hour_ago)
    moderation.decide(alice, [ItemRef("content", post.pk)], "hide", "Hors sujet")
    private = conversations.publish(alice, world["private"], "Ailleurs")
    moderation.flag(carol, ItemRef("content", private.pk), "spam")
    for text, decision in (("un", "restore"), ("deux", "restore"), ("trois", "delete")):
        held = _held(world, text)
        moderation.decide(alice, [ItemRef("content", held.pk)], decision, "Vu")
    # alice owns (manages) every space: both spaces are hers.
    with CaptureQueriesContext(connection) as captured:
        panel = moderation_panel(alice, default_period())
    assert len(captured) == 4
    figures = _figures(panel)
    assert figures["Flags raised"] == 3
    assert figures["Items decided after a flag"] == 1
    assert 2.9 < figures["Median time from the first flag to the decision (hours)"] < 3.1
    assert figures["Held posts decided"] == 3
    assert figures["Share of held posts released"] == pytest.approx(2 / 3)
    assert figures["Share of held posts deleted"] == pytest.approx(1 / 3)
    spaces = {str(row[0]) for row in panel.tables[1].rows}
    assert spaces == {"Ouvert", "Privé"}
    # Of one space only.
    one_space = moderation_panel(alice, default_period(), world["open"].pk)
    assert _figures(one_space)["Flags raised"] == 2


def test_a_community_manager_sees_only_the_spaces_they_review(world: dict[str, Any]) -> None:
    post = conversations.publish(world["alice"], world["private"], "Privé")
    moderation.flag(world["carol"], ItemRef("content", post.pk), "spam")
    # cm is a community-manager account in no space: the private space is not theirs.
    panel = moderation_panel(world["cm"], default_period())
    assert _figures(panel)["Flags raised"] == 0 and not panel.tables[1].rows
    assert panel.notes  # says there is nothing, rather than showing zeros alone


def test_the_panel_on_the_cockpit_pages(world: dict[str, Any], client_for: Any) -> None:
    post = conversations.publish(world["alice"], world["open"], "Un message")
    moderation.flag(world["bob"], ItemRef("content", post.pk), "spam")
    client = client_for(world["admin"])
    fr = client.get("/cockpit/attention/", headers={"Accept-Language": "fr"}).content.decode()
    assert "Modération" in fr and "Signalements par espace et par semaine" in fr
    en = client.get(
        f"/cockpit/spaces/{world['open'].pk}/attention/", headers={"Accept-Language": "en"}
    )
    assert "Flags per space and week" in en.content.decode()
    csv = client.get("/cockpit/attention/?csv=moderation_flags_weekly")
    assert csv.status_code == 200 and "Ouvert" in csv.content.decode()
    assert client_for(world["bob"]).get("/cockpit/attention/").status_code == 404


def test_watched_word_hits_per_space_and_week(world: dict[str, Any]) -> None:
    alice = world["alice"]
    moderation.add_watched_word(alice, world["open"], "nul", "word", "flag")
    moderation.add_watched_word(alice, world["private"], "nul", "word", "replace")
    for space, author in ((world["open"], world["bob"]), (world["private"], world["carol"])):
        post = conversations.publish(author, space, "C'est nul, vraiment nul")
        count_watched(Event.objects.get(verb="posted", object_id=post.pk))  # the worker's task
    panel = moderation_panel(alice, default_period())
    assert _figures(panel)["Watched-word hits"] == 2
    weekly = {str(row[0]): row[2].value for row in panel.tables[2].rows}
    assert weekly == {"Ouvert": 1, "Privé": 1}
    # Of one space; and a community-manager account reviews the open space, not the private
    # one it does not belong to.
    one_space = moderation_panel(alice, default_period(), world["open"].pk)
    assert _figures(one_space)["Watched-word hits"] == 1
    cm_panel = moderation_panel(world["cm"], default_period())
    assert {str(row[0]) for row in cm_panel.tables[2].rows} == {"Ouvert"}

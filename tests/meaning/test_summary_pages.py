"""Summaries are made only of what the viewer may read; the pages are reachable and guarded."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from rucher.conversations import actions
from rucher.meaning.summaries import space_summary, thread_summary

pytestmark = pytest.mark.django_db

MOVE = [
    "Le déménagement du site de Lyon est prévu pour le mois de mars prochain.",
    "Le planning du déménagement de Lyon sera prêt avant la fin du mois de février.",
    "Les équipes de production de Lyon déménageront en deux vagues successives.",
    "Je coordonne le planning du déménagement avec les chefs d'équipe de Lyon.",
]
SECRET = "Le déménagement de Lyon cache un plan social que personne ne doit connaître."
GONE = "Le déménagement de Lyon est annulé, message supprimé depuis par son auteur."


def test_thread_summary_leaves_out_deleted_replies(world: dict[str, Any]) -> None:
    alice, bob = world["alice"], world["bob"]
    root = actions.publish(alice, world["open"], MOVE[0])
    for text in MOVE[1:]:
        actions.reply(bob, root, text)
    gone = actions.reply(bob, root, GONE)
    actions.delete(bob, gone)
    found_root, summary = thread_summary(bob, root.pk, count=5)
    assert found_root == root
    assert summary.items == 4
    texts = [line.text for line in summary.lines]
    assert texts and all("supprimé" not in t for t in texts)
    assert {line.root_id for line in summary.lines} == {root.pk}
    # A reply's id leads to its thread's summary.
    reply = actions.reply(bob, root, MOVE[1] + " Encore.")
    assert thread_summary(bob, reply.pk)[0] == root


def test_space_summary_only_from_readable_content(world: dict[str, Any]) -> None:
    alice, carol = world["alice"], world["carol"]
    for text in MOVE:
        actions.publish(alice, world["private"], text)
    actions.publish(alice, world["secret"], SECRET)
    as_carol = space_summary(carol, world["private"])
    assert as_carol.items == 4 and as_carol.lines
    assert all("plan social" not in line.text for line in as_carol.lines)
    # bob reads neither space: nothing of them reaches a summary made for him.
    assert space_summary(world["bob"], world["private"]).lines == []


def test_pages(world: dict[str, Any], client_for: Any) -> None:
    alice, bob, gus = world["alice"], world["bob"], world["gus"]
    root = actions.publish(alice, world["open"], MOVE[0])
    for text in MOVE[1:]:
        actions.reply(bob, root, text)
    page = client_for(bob).get(reverse("content", args=[root.pk]))
    assert reverse("thread_summary", args=[root.pk]) in page.content.decode()
    assert "Résumer ce fil" in page.content.decode()
    summary = client_for(bob).get(reverse("thread_summary", args=[root.pk]))
    assert summary.status_code == 200
    body = summary.content.decode()
    assert "Résumé du fil" in body and "déménagement" in body
    assert f"#c{root.pk}" in body or "#c" in body
    assert client_for(gus).get(reverse("thread_summary", args=[root.pk])).status_code == 404

    space = world["open"]
    listed = client_for(bob).get(reverse("space_summary", args=[space.slug]) + "?days=30")
    assert listed.status_code == 200 and "déménagement" in listed.content.decode()
    odd = client_for(bob).get(reverse("space_summary", args=[space.slug]) + "?days=abc")
    assert odd.status_code == 200
    private = world["private"]
    assert client_for(bob).get(reverse("space_summary", args=[private.slug])).status_code == 404

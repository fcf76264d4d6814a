"""``rucher reindex``: rebuilds from the live tables, resumes after an interruption, refuses
bad arguments with exit 2."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from rucher.commands.reindex import command
from rucher.conversations import actions
from rucher.search import queries, rebuild
from rucher.search.models import Entry, ReindexCheckpoint

pytestmark = pytest.mark.django_db


def test_reindex_builds_what_the_bulk_load_left_unindexed(world: dict[str, Any]) -> None:
    post = actions.publish(world["alice"], world["open"], "Cire d'abeille")
    Entry.objects.create(kind="post", object_id=10**9, content_id=10**9, title="ghost", url="/")
    assert queries.search(world["bob"], "cire").items == []  # no event was handed on
    result = CliRunner().invoke(command, ["--quiet"])
    assert result.exit_code == 0, result.output
    assert "search index rebuilt" in result.output
    assert [i.object_id for i in queries.search(world["bob"], "cire").items] == [post.pk]
    assert not Entry.objects.filter(object_id=10**9).exists()  # the stale row is swept
    assert ("person", world["carol"].pk) in {
        (i.kind, i.object_id) for i in queries.search(world["bob"], "carol").items
    }


def test_an_interrupted_reindex_resumes_from_its_checkpoint(world: dict[str, Any]) -> None:
    posts = [actions.publish(world["alice"], world["open"], f"Gelée royale {i}") for i in range(4)]
    steps = rebuild.rebuild(("content",), batch=2)
    next(steps)  # one batch done, then the run is stopped
    steps.close()
    checkpoint = ReindexCheckpoint.objects.get(kind="content")
    assert checkpoint.last_id > 0
    done_before = Entry.objects.filter(kind="post").count()
    assert 0 < done_before < len(posts)
    result = CliRunner().invoke(command, ["--only", "content", "--batch-size", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    assert Entry.objects.filter(kind="post").count() == len(posts)
    assert not ReindexCheckpoint.objects.exists()


@pytest.mark.parametrize(
    "arguments", [["--batch-size", "0"], ["--batch-size", "abc"], ["--only", "nope"], ["extra"]]
)
def test_bad_arguments_exit_2_with_a_message(arguments: list[str]) -> None:
    result = CliRunner().invoke(command, arguments)
    assert result.exit_code == 2
    assert "Error" in result.output

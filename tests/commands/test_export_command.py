"""`rucher export`: the contract tables round-trip; confidential content never leaves."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from rucher.activity.models import Event
from rucher.bulk.export import CONTENT_TYPES
from rucher.commands import export
from rucher.conversations.models import Content
from rucher.insights.contract import Dataset
from rucher.people.models import Person
from rucher.spaces.models import Space


@pytest.fixture
def loaded(db: None) -> None:
    from rucher.commands.demo import load_demo

    load_demo(5, people=60, items=800, progress=False)
    # a deleted post is not published: it stays out of the export too
    post = Content.objects.filter(kind="post", space__confidential=False).first()
    assert post is not None
    Content.objects.filter(pk=post.pk).update(status=Content.Status.DELETED)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(export.command, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_round_trip_leaves_confidential_out(loaded: None, tmp_path: Path, fmt: str) -> None:
    code, output = run("--format", fmt, str(tmp_path))
    assert code == 0, output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{t}.{fmt}" for t in ("content", "events", "people", "spaces")
    ]
    data = Dataset.read(tmp_path)
    confidential = set(Space.objects.filter(confidential=True).values_list("pk", flat=True))
    assert confidential
    hidden = Content.objects.filter(space_id__in=confidential)
    assert hidden.exists()
    # people: every account, as in the database
    assert sorted(data.people["person_id"]) == sorted(Person.objects.values_list("pk", flat=True))
    anyone = Person.objects.get(username="employe")
    row = data.people.filter(pl.col("person_id") == anyone.pk).row(0, named=True)
    assert row["display_name"] == "Julien Moreau" and row["department"] == "Ventes France"
    # spaces: all but the confidential ones
    assert set(data.spaces["space_id"]) == set(
        Space.objects.exclude(confidential=True).values_list("pk", flat=True)
    )
    # content: every published item outside confidential spaces, with the same values
    expected = Content.objects.filter(status="published").exclude(space_id__in=confidential)
    assert sorted(data.content["content_id"]) == sorted(expected.values_list("pk", flat=True))
    assert not set(data.content["space_id"].drop_nulls()) & confidential
    sample = expected.filter(kind="comment").first()
    assert sample is not None
    got = data.content.filter(pl.col("content_id") == sample.pk).row(0, named=True)
    assert (got["text"], got["author_id"], got["parent_id"], got["root_id"], got["created_at"]) == (
        sample.text,
        sample.author_id,
        sample.parent_id,
        sample.root_id,
        sample.created_at,
    )
    tagged = expected.filter(topics__isnull=False).distinct().first()
    assert tagged is not None
    got_topics = data.content.filter(pl.col("content_id") == tagged.pk)["topics"].to_list()[0]
    assert got_topics == sorted(t.name for t in tagged.topics.all())
    # events: all but those of confidential spaces
    kept = Event.objects.exclude(space_id__in=confidential).exclude(
        object_id__in=hidden.values("pk"), object_type__in=CONTENT_TYPES
    )
    assert data.events.height == kept.count()
    assert not set(data.events["space_id"].drop_nulls()) & confidential
    assert f"left out: {hidden.filter(status='published').count()} content item(s)" in output


def test_include_confidential_lists_the_space_but_never_its_content(
    loaded: None, tmp_path: Path
) -> None:
    code, output = run("--include-confidential", str(tmp_path))
    assert code == 0, output
    data = Dataset.read(tmp_path)
    confidential = set(Space.objects.filter(confidential=True).values_list("pk", flat=True))
    assert confidential <= set(data.spaces["space_id"])
    assert not set(data.content["space_id"].drop_nulls()) & confidential
    assert not set(data.events["space_id"].drop_nulls()) & confidential
    assert "never exported" in output


def test_wrong_format_exits_2(tmp_path: Path) -> None:
    code, output = run("--format", "xlsx", str(tmp_path / "out"))
    assert code == 2
    assert "xlsx" in output
    assert not (tmp_path / "out").exists()

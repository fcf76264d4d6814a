"""``rucher insights report``: the JSON it writes, its scope options and its exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from rucher.commands.insights import group
from rucher.insights.contract import Dataset

START = datetime(2025, 1, 6, tzinfo=UTC)


def small_dataset() -> Dataset:
    """Eight people, spaces 1 (hub) > 2 and 3 apart, a post a day for four weeks, replies."""
    people = pl.DataFrame({"person_id": list(range(1, 9)), "department": ["A", "B"] * 4})
    spaces = pl.DataFrame({"space_id": [1, 2, 3], "parent_id": [None, 1, None]})
    content: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for day in range(28):
        at = START + timedelta(days=day, hours=9)
        space = (1, 2, 3)[day % 3]
        author, replier = 1 + day % 8, 1 + (day + 3) % 8
        post_id, reply_id = len(content) + 1, len(content) + 2
        content += [
            {"content_id": post_id, "kind": "post", "author_id": author, "space_id": space,
             "created_at": at, "root_id": post_id, "text": "bonjour"},
            {"content_id": reply_id, "kind": "comment", "author_id": replier, "space_id": space,
             "created_at": at + timedelta(hours=1), "root_id": post_id, "parent_id": post_id,
             "text": "merci"},
        ]  # fmt: skip
        events += [
            {"at": at, "actor_id": author, "verb": "posted", "object_type": "content",
             "object_id": post_id, "space_id": space},
            {"at": at + timedelta(hours=1), "actor_id": replier, "verb": "commented",
             "object_type": "content", "object_id": reply_id, "space_id": space,
             "target_id": author},
        ]  # fmt: skip
    for number, row in enumerate(events, start=1):
        row["event_id"] = number
    return Dataset(
        people=people,
        spaces=spaces,
        content=pl.DataFrame(content, infer_schema_length=None),
        events=pl.DataFrame(events, infer_schema_length=None),
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "tables"
    small_dataset().write(directory)
    return directory


def invoke(*args: str) -> Any:
    return CliRunner().invoke(group, ["report", *args])


def test_report_writes_every_section(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = invoke("--data", str(data_dir), "--json", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["errors"] == []
    assert report["sections"]["engagement"]["contributions"]["value"]["current"] == 56
    assert "DAU / WAU / MAU" in result.output and "written:" in result.output


def test_space_and_period_options(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "space.json"
    # Days 0..13 (the --to date is included); space 1 and its child 2 hold the days with
    # day % 3 in (0, 1), each day a post and a comment.
    result = invoke("--data", str(data_dir), "--json", str(out), "--space", "1",
                    "--from", "2025-01-06", "--to", "2025-01-19")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    days = [day for day in range(14) if day % 3 in (0, 1)]
    assert report["scope"]["space_ids"] == [1, 2]
    assert report["scope"]["period"] == {
        "start": "2025-01-06T00:00:00+00:00",
        "end": "2025-01-20T00:00:00+00:00",
    }
    assert report["sections"]["engagement"]["contributions"]["value"]["current"] == 2 * len(days)


def test_only_one_bound_uses_the_data_span(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "from.json"
    result = invoke("--data", str(data_dir), "--json", str(out), "--from", "2025-01-20")
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["scope"]["period"]["end"] == "2025-02-03T00:00:00+00:00"
    assert report["sections"]["engagement"]["contributions"]["value"]["current"] == 2 * 14


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--from", "2025-02-30"], "--from: not a date"),
        (["--to", "yesterday"], "--to: not a date"),
        (["--from", "2025-01-20", "--to", "2025-01-10"], "must end after it starts"),
        (["--space", "42"], "--space: unknown space: 42"),
        (["--min-group-size", "3"], "privacy floor"),
    ],
)
def test_bad_input_exits_2(data_dir: Path, tmp_path: Path, extra: list[str], message: str) -> None:
    out = tmp_path / "bad.json"
    result = invoke("--data", str(data_dir), "--json", str(out), *extra)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()


def test_missing_data_directory_exits_2(tmp_path: Path) -> None:
    result = invoke("--data", str(tmp_path / "absent"), "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 2
    assert "data directory not found" in result.output


def test_malformed_table_exits_2(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "events.parquet").unlink()
    (data_dir / "events.csv").write_text("event_id,at,actor_id,verb\n1,2025-01-06,1,gossiped\n")
    result = invoke("--data", str(data_dir), "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 2
    assert "gossiped" in result.output


def test_corrupt_parquet_exits_2(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "content.parquet").write_bytes(b"not parquet at all")
    result = invoke("--data", str(data_dir), "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 2
    assert "--data: cannot read" in result.output


def test_json_is_required(data_dir: Path) -> None:
    result = invoke("--data", str(data_dir))
    assert result.exit_code == 2


@pytest.mark.django_db
def test_report_on_the_live_database(tmp_path: Path) -> None:
    out = tmp_path / "live.json"
    result = invoke("--json", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert set(report["sections"]) >= {"engagement", "silos", "nps", "todo"}

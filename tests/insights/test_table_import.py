"""Contract tables from a folder of CSV or JSON Lines files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from rucher.insights.contract import Dataset
from rucher.insights.importers.edges import ImportFormatError
from rucher.insights.importers.tables import read_tables


def _sample() -> Dataset:
    at = datetime(2024, 2, 1, 9, 30, tzinfo=UTC)
    return Dataset(
        people=pl.DataFrame({"person_id": [1, 2], "department": ["R&D", None]}),
        spaces=pl.DataFrame({"space_id": [10], "name": ["Général"], "created_at": [at]}),
        content=pl.DataFrame(
            {
                "content_id": [100, 101],
                "kind": ["question", "answer"],
                "author_id": [1, 2],
                "root_id": [100, 100],
                "created_at": [at, at],
                "text": ['Où, "quoi" ?\nligne 2', "ici"],
                "topics": [["a", "b"], []],
                "accepted": [None, True],
            }
        ),
        events=pl.DataFrame(
            {
                "event_id": [1, 2],
                "at": [at, at],
                "actor_id": [1, 2],
                "verb": ["asked", "answered"],
                "target_id": [None, 1],
                "value": [None, 2.5],
            }
        ),
    )


def test_csv_round_trip(tmp_path: Path) -> None:
    original = _sample()
    original.write(tmp_path, "csv")
    loaded = read_tables(tmp_path)
    for table, frame in original.frames().items():
        assert loaded.frames()[table].equals(frame), table


def test_jsonl_round_trip_and_missing_tables(tmp_path: Path) -> None:
    original = _sample()
    original.events.write_ndjson(tmp_path / "events.jsonl")
    original.people.write_ndjson(tmp_path / "people.jsonl")
    loaded = read_tables(tmp_path)
    assert loaded.events.equals(original.events)
    assert loaded.content.height == 0  # absent table: empty


def test_people_referenced_only_in_events_are_added(tmp_path: Path) -> None:
    (tmp_path / "events.csv").write_text(
        "event_id,at,actor_id,verb,target_id\n1,2024-01-01T00:00:00Z,7,mentioned,8\n"
    )
    loaded = read_tables(tmp_path)
    assert sorted(loaded.people["person_id"].to_list()) == [7, 8]


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("events.jsonl", '{"event_id": 1}\n{"event_id": 2,\n', r"events\.jsonl:2: invalid JSON"),
        (
            "events.csv",
            "event_id,at,actor_id,verb\n1,2024-01-01,1\n",
            r"events\.csv:2: events\.verb",
        ),
        (
            "events.csv",
            "event_id,at,actor_id,verb\n1,2024-01-01,1,posted\n2,2024-01-01,1,danced\n",
            r"events\.csv:3: .*unknown verb",
        ),
        (
            "events.csv",
            "event_id,at,actor_id,verb\n1,2024-01-01,1,posted\n2,yesterday,1,posted\n",
            r"events\.csv:3: events\.at",
        ),
        ("people.csv", "person_id\n1\n\n", None),
        ("content.csv", "content_id,kind\n1,post\n", r"content\.csv: content: required"),
        (
            "content.csv",
            "content_id,kind,author_id,created_at,accepted\n1,post,1,2024-01-01,maybe\n",
            r"content\.csv:2: content\.accepted",
        ),
    ],
)
def test_bad_files_name_the_line(tmp_path: Path, name: str, text: str, reason: str | None) -> None:
    (tmp_path / name).write_text(text)
    if reason is None:  # a blank last line is not an error
        assert read_tables(tmp_path).people.height == 1
        return
    with pytest.raises(ImportFormatError, match=reason):
        read_tables(tmp_path)


def test_empty_or_ambiguous_folder(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="none of"):
        read_tables(tmp_path)
    (tmp_path / "people.csv").write_text("person_id\n1\n")
    (tmp_path / "people.jsonl").write_text('{"person_id": 1}\n')
    with pytest.raises(ImportFormatError, match="keep one"):
        read_tables(tmp_path)

"""The Stack Exchange importer: mapping by hand on a tiny dump, errors, the real dump."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from rucher.commands.imports.stackexchange import command
from rucher.insights.contract import Dataset
from rucher.insights.importers.stackexchange import (
    ANONYMOUS_VOTER_ID,
    COMMENT_ID_OFFSET,
    DELETED_USER_ID,
    StackExchangeError,
    load_stackexchange,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
GERMAN_META = DATA / "stackexchange" / "german.meta"

HEADER = '\ufeff<?xml version="1.0" encoding="utf-8"?>\n'


def _xml(root: str, rows: list[str]) -> str:
    return HEADER + f"<{root}>\n" + "".join(f"  <row {r} />\n" for r in rows) + f"</{root}>\n"


def write_dump(directory: Path, posts: list[str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Users.xml").write_text(
        _xml(
            "users",
            [
                'Id="-1" DisplayName="Community" CreationDate="2020-01-01T00:00:00.000"',
                'Id="1" DisplayName="Asker" CreationDate="2020-01-01T00:00:00.000"',
                'Id="2" DisplayName="Expert" CreationDate="2020-01-01T00:00:00.000"',
                'Id="3" DisplayName="Other" CreationDate="2020-01-01T00:00:00.000"',
            ],
        ),
        encoding="utf-8",
    )
    posts = posts or [
        'Id="10" PostTypeId="1" AcceptedAnswerId="11" CreationDate="2020-02-01T10:00:00.000" '
        'OwnerUserId="1" Title="Dativ oder Akkusativ?" '
        'Body="&lt;p&gt;Which case &amp;amp; why?&lt;/p&gt;" '
        'Tags="&lt;grammar&gt;&lt;cases&gt;"',
        'Id="11" PostTypeId="2" ParentId="10" CreationDate="2020-02-01T11:00:00.000" '
        'OwnerUserId="2" Body="&lt;p&gt;Dativ after mit.&lt;/p&gt;"',
        'Id="12" PostTypeId="2" ParentId="10" CreationDate="2020-02-01T12:00:00.000" '
        'OwnerDisplayName="gone" Body="&lt;p&gt;Akkusativ.&lt;/p&gt;"',
        'Id="13" PostTypeId="4" CreationDate="2020-02-01T12:00:00.000" Body="tag wiki"',
    ]
    (directory / "Posts.xml").write_text(_xml("posts", posts), encoding="utf-8")
    (directory / "Comments.xml").write_text(
        _xml(
            "comments",
            [
                'Id="5" PostId="11" Text="Danke!" CreationDate="2020-02-01T13:00:00" UserId="1"',
                'Id="6" PostId="10" Text="Nice question" CreationDate="2020-02-01T14:00:00.000"',
            ],
        ),
        encoding="utf-8",
    )
    (directory / "Votes.xml").write_text(
        _xml(
            "votes",
            [
                'Id="1" PostId="11" VoteTypeId="2" CreationDate="2020-02-01T00:00:00.000"',
                'Id="2" PostId="12" VoteTypeId="3" CreationDate="2020-02-02T00:00:00.000"',
                'Id="3" PostId="11" VoteTypeId="1" CreationDate="2020-02-03T00:00:00.000"',
                'Id="4" PostId="10" VoteTypeId="5" UserId="3" CreationDate="2020-02-03T00:00:00"',
            ],
        ),
        encoding="utf-8",
    )
    return directory


@pytest.fixture
def dump(tmp_path: Path) -> Dataset:
    return load_stackexchange(write_dump(tmp_path / "site"), detect_language=False)


def test_content_mapping(dump: Dataset) -> None:
    content = dump.content.sort("content_id")
    assert content["content_id"].to_list() == [
        10,
        11,
        12,
        COMMENT_ID_OFFSET + 5,
        COMMENT_ID_OFFSET + 6,
    ]
    assert content["kind"].to_list() == ["question", "answer", "answer", "comment", "comment"]
    assert content["author_id"].to_list() == [1, 2, DELETED_USER_ID, 1, DELETED_USER_ID]
    assert content["root_id"].to_list() == [10, 10, 10, 10, 10]
    assert content["accepted"].to_list() == [False, True, False, None, None]
    assert content["text"][0] == "Dativ oder Akkusativ?\n\nWhich case & why?"
    assert all(t == ["grammar", "cases"] for t in content["topics"].to_list())  # inherited
    assert dump.spaces["name"].to_list() == ["site"]


def test_event_mapping(dump: Dataset) -> None:
    events = dump.events.sort("event_id")
    rows = {
        (r["verb"], r["object_id"]): (r["actor_id"], r["target_id"], r["value"])
        for r in events.iter_rows(named=True)
    }
    assert rows[("asked", 10)] == (1, None, None)
    assert rows[("answered", 11)] == (2, 1, None)
    assert rows[("answered", 12)] == (DELETED_USER_ID, 1, None)
    assert rows[("accepted_answer", 11)] == (1, 2, None)
    assert rows[("commented", COMMENT_ID_OFFSET + 5)] == (1, 2, None)
    assert rows[("commented", COMMENT_ID_OFFSET + 6)] == (DELETED_USER_ID, 1, None)
    assert rows[("reacted", 11)] == (ANONYMOUS_VOTER_ID, 2, 1.0)
    assert rows[("reacted", 12)] == (ANONYMOUS_VOTER_ID, DELETED_USER_ID, -1.0)
    assert len(rows) == events.height == 8  # favourite vote (type 5) and tag wiki ignored
    by_key = {(r["verb"], r["object_id"]): r["at"] for r in events.iter_rows(named=True)}
    # A vote known only by its day is stamped at the end of that day.
    assert by_key[("reacted", 11)] == datetime(2020, 2, 1, 23, 59, 59, 999000, tzinfo=UTC)
    # Acceptance: the day of the "accepted" vote, end of day.
    assert by_key[("accepted_answer", 11)] == datetime(2020, 2, 3, 23, 59, 59, 999000, tzinfo=UTC)
    assert events["at"].is_sorted()


def test_people_and_reserved_accounts(dump: Dataset) -> None:
    people = dump.people.sort("person_id")
    assert people["person_id"].to_list() == [DELETED_USER_ID, ANONYMOUS_VOTER_ID, -1, 1, 2, 3]
    system = people.filter(pl.col("person_id") < 0)
    assert set(system["organisation"]) == {"system"}
    assert set(people.filter(pl.col("person_id") > 0)["kind"]) == {"employee"}


def test_malformed_xml_names_file_and_line(tmp_path: Path) -> None:
    directory = write_dump(tmp_path / "bad")
    text = (directory / "Comments.xml").read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace("/>", ">")  # an unclosed element on line 4
    (directory / "Comments.xml").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(StackExchangeError, match=r"Comments\.xml: line \d+, column \d+: malformed"):
        load_stackexchange(directory, detect_language=False)


def test_missing_attribute_names_line(tmp_path: Path) -> None:
    posts = ['Id="10" PostTypeId="1" OwnerUserId="1" Title="t" Body="b"']  # no CreationDate
    directory = write_dump(tmp_path / "bad", posts)
    with pytest.raises(
        StackExchangeError, match=r"Posts\.xml: line 3: required attribute 'CreationDate'"
    ):
        load_stackexchange(directory, detect_language=False)


def test_bad_integer_and_missing_file(tmp_path: Path) -> None:
    posts = ['Id="x" PostTypeId="1" CreationDate="2020-01-01T00:00:00.000"']
    with pytest.raises(StackExchangeError, match="line 3: attribute 'Id' is not an integer"):
        load_stackexchange(write_dump(tmp_path / "a", posts), detect_language=False)
    (tmp_path / "b").mkdir()
    with pytest.raises(StackExchangeError, match=r"Posts\.xml: required file is missing"):
        load_stackexchange(tmp_path / "b")


def test_cli_no_db_writes_tables_and_rejects_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    source = write_dump(tmp_path / "site")
    result = runner.invoke(command, [str(source), "--no-db", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert Dataset.read(tmp_path / "out").content.height == 5
    missing = runner.invoke(command, [str(tmp_path / "nope"), "--no-db", "--out", "x"])
    assert missing.exit_code == 2 and "not found" in missing.output
    (source / "Votes.xml").write_text(HEADER + "<votes>\n  <row Id=1 />\n</votes>\n")
    broken = runner.invoke(command, [str(source), "--no-db", "--out", str(tmp_path / "o2")])
    assert broken.exit_code == 2 and "Votes.xml: line 3" in broken.output
    assert not (tmp_path / "o2").exists()  # all-or-nothing


@pytest.mark.dataset
def test_german_meta_counts() -> None:
    if not (GERMAN_META / "Posts.xml").exists():
        pytest.skip(f"dataset absent: {GERMAN_META}")
    dataset = load_stackexchange(GERMAN_META, detect_language=False)
    kinds = dict(dataset.content.group_by("kind").len().iter_rows())
    assert kinds["question"] == 524 and kinds["answer"] == 1020
    assert dataset.content["accepted"].sum() == 216
    assert dataset.events.filter(pl.col("verb") == "accepted_answer").height == 216
    assert dataset.people.filter(pl.col("person_id") > 0).height >= 2977

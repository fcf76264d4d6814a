"""E-mail edge and message importers: hand-made files, malformed lines, the SNAP datasets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from rucher.insights.contract import ContractError
from rucher.insights.importers import edges
from rucher.insights.importers.edges import (
    UNKNOWN_TIME,
    ImportFormatError,
    read_email_edges,
    read_messages,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_email_edges_with_departments(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.txt", "# comment\n0\t1\n\n2 2\n1   0\n")
    labels = _write(tmp_path, "d.txt", "0 7\n1 7\n2 sales\n3 7\n")
    data = read_email_edges(path, labels)
    assert data.events["actor_id"].to_list() == [0, 2, 1]
    assert data.events["target_id"].to_list() == [1, 2, 0]  # the self-loop is kept
    assert set(data.events["verb"]) == {"messaged"}
    assert data.events["event_id"].to_list() == [1, 2, 3]
    assert data.events["at"].to_list() == [UNKNOWN_TIME] * 3
    people = dict(zip(data.people["person_id"], data.people["department"], strict=True))
    assert people == {0: "7", 1: "7", 2: "sales", 3: "7"}  # 3 never wrote: still a person


def test_messages_with_times(tmp_path: Path) -> None:
    path = _write(tmp_path, "m.txt", "1 2 1082040961\n3 4 1082155839\n5 2\n")
    data = read_messages(path)
    assert data.events["at"].to_list() == [
        datetime.fromtimestamp(1082040961, UTC),
        datetime.fromtimestamp(1082155839, UTC),
        UNKNOWN_TIME,
    ]
    assert data.people["person_id"].to_list() == [1, 2, 3, 4, 5]
    assert data.people["department"].null_count() == 5


def test_small_blocks_keep_line_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [f"{i} {i + 1} {1_000_000 + i}" for i in range(500)]
    lines[321] = "12 x 5"
    path = _write(tmp_path, "m.txt", "\n".join(lines) + "\n")
    monkeypatch.setattr(edges, "BLOCK_BYTES", 37)  # blocks cut lines in the middle
    with pytest.raises(ImportFormatError, match=r"m\.txt:322: expected"):
        read_messages(path)
    lines[321] = "12 13 5"
    path.write_text("\n".join(lines))  # no final newline
    seen: list[int] = []
    data = read_messages(path, seen.append)
    assert data.events.height == 500
    assert sum(seen) == path.stat().st_size


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1 2\n1 2 3 4\n", r":2: expected"),
        ("1 2\n-1 2\n", r":2: expected"),
        ("1 99999999999999999999 5\n", r":1: dst is too large"),
        ("1 2\n\xff\xfe 3\n", r":2: not UTF-8"),
    ],
)
def test_malformed_lines_name_file_and_line(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ContractError, match=r"bad\.txt" + reason):
        read_messages(path)


def test_conflicting_departments(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.txt", "0 1\n")
    labels = _write(tmp_path, "d.txt", "0 1\n1 2\n0 1\n0 3\n")
    with pytest.raises(ImportFormatError, match=r"d\.txt:4: person 0"):
        read_email_edges(path, labels)


def test_empty_file(tmp_path: Path) -> None:
    data = read_messages(_write(tmp_path, "m.txt", "# nothing\n"))
    assert data.events.height == 0 and data.people.height == 0


@pytest.mark.dataset
def test_email_eu_core() -> None:
    folder = DATA / "email-eu-core"
    path, labels = folder / "email-Eu-core.txt", folder / "email-Eu-core-department-labels.txt"
    if not path.exists() or not labels.exists():
        pytest.skip(f"dataset absent: {folder}")
    data = read_email_edges(path, labels)
    reference = pd.read_csv(path, sep=r"\s+", header=None, names=["src", "dst"])
    assert data.events.height == len(reference) == 25_571
    assert data.events["actor_id"].to_list() == reference["src"].tolist()
    assert data.people.height == 1_005
    assert data.people["department"].n_unique() == 42


@pytest.mark.dataset
def test_collegemsg() -> None:
    path = DATA / "collegemsg" / "CollegeMsg.txt"
    if not path.exists():
        pytest.skip(f"dataset absent: {path}")
    data = read_messages(path)
    reference = pd.read_csv(path, sep=" ", header=None, names=["src", "dst", "t"])
    assert data.events.height == len(reference) == 59_835
    assert data.people.height == 1_899
    assert data.events["at"].dt.epoch("s").to_list() == reference["t"].tolist()

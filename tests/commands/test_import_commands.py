"""`rucher import email-edges|messages|slack-xml|tables` with --no-db, and their bad inputs."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from rucher.commands.imports import email_edges, messages, slack_xml, tables
from rucher.insights.contract import Dataset

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

SLACK = (
    "<slack><channel_name>c</channel_name>"
    '<message conversation_id="1"><ts>2017-05-01T10:00:00</ts><user>A</user>'
    "<text>hi &lt;@B&gt;?</text></message>"
    '<message conversation_id="1"><ts>2017-05-01T11:00:00</ts><user>B</user>'
    "<text>yes</text></message></slack>"
)


def _run(command: click.Command, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(command, list(args))
    return result.exit_code, result.output


def test_email_edges_no_db(tmp_path: Path) -> None:
    edges, labels, out = tmp_path / "e.txt", tmp_path / "d.txt", tmp_path / "out"
    edges.write_text("0 1\n1 2\n2 2\n")
    labels.write_text("0 a\n1 a\n2 b\n")
    code, output = _run(
        email_edges.command, str(edges), "--departments", str(labels), "--no-db", "--out", str(out)
    )
    assert code == 0, output
    data = Dataset.read(out)
    assert data.events.height == 3
    assert data.people["department"].to_list() == ["a", "a", "b"]


def test_messages_and_slack_and_tables_no_db(tmp_path: Path) -> None:
    log, xml = tmp_path / "m.txt", tmp_path / "c.xml"
    log.write_text("1 2 1082040961\n2 1 1082040999\n")
    xml.write_text(SLACK)
    code, output = _run(messages.command, str(log), "--no-db", "--out", str(tmp_path / "m"))
    assert code == 0, output
    assert Dataset.read(tmp_path / "m").events.height == 2
    code, output = _run(slack_xml.command, str(xml), "--no-db", "--out", str(tmp_path / "s"))
    assert code == 0, output
    slack = Dataset.read(tmp_path / "s")
    assert slack.content["kind"].to_list() == ["question", "comment"]
    slack.write(tmp_path / "csv", "csv")
    code, output = _run(
        tables.command, str(tmp_path / "csv"), "--no-db", "--out", str(tmp_path / "t")
    )
    assert code == 0, output
    assert Dataset.read(tmp_path / "t").events.equals(slack.events)


@pytest.mark.parametrize(
    ("command", "name", "text", "message"),
    [
        (email_edges.command, "e.txt", "0 1\n0 one\n", "e.txt:2: expected"),
        (messages.command, "m.txt", "1 2 3\n\n1 2 x\n", "m.txt:3: expected"),
        (slack_xml.command, "c.xml", "<slack>\n<message>", "c.xml:2: "),
    ],
)
def test_malformed_file_exits_2_and_writes_nothing(
    tmp_path: Path, command: click.Command, name: str, text: str, message: str
) -> None:
    path, out = tmp_path / name, tmp_path / "out"
    path.write_text(text)
    code, output = _run(command, str(path), "--no-db", "--out", str(out))
    assert code == 2
    assert message in output
    assert not out.exists()


def test_malformed_table_exits_2(tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_text('{"event_id": 1\n')
    code, output = _run(tables.command, str(tmp_path), "--no-db", "--out", str(tmp_path / "o"))
    assert code == 2 and "events.jsonl:1: invalid JSON" in output


@pytest.mark.parametrize(
    "command", [email_edges.command, messages.command, slack_xml.command, tables.command]
)
def test_missing_input_exits_2(tmp_path: Path, command: click.Command) -> None:
    code, output = _run(command, str(tmp_path / "absent"), "--no-db", "--out", str(tmp_path))
    assert code == 2 and "not found" in output


def test_missing_departments_and_out(tmp_path: Path) -> None:
    edges = tmp_path / "e.txt"
    edges.write_text("0 1\n")
    code, output = _run(email_edges.command, str(edges), "--departments", str(tmp_path / "x"))
    assert code == 2 and "not found" in output
    code, output = _run(email_edges.command, str(edges), "--no-db")
    assert code == 2 and "--out" in output


@pytest.mark.dataset
@pytest.mark.parametrize(
    ("command", "relative", "events"),
    [
        (messages.command, "collegemsg/CollegeMsg.txt", 59_835),
        (slack_xml.command, "slack/racket-general-2017.xml", 8_237),
        (email_edges.command, "email-eu-core/email-Eu-core.txt", 25_571),
    ],
)
def test_shared_datasets(
    tmp_path: Path, command: click.Command, relative: str, events: int
) -> None:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"dataset absent: {path}")
    code, output = _run(command, str(path), "--no-db", "--out", str(tmp_path))
    assert code == 0, output
    assert Dataset.read(tmp_path).events.height == events

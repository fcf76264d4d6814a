"""The Slack XML importer on a hand-made channel and on the Racket #general export."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from rucher.insights.contract import Dataset
from rucher.insights.importers.edges import ImportFormatError
from rucher.insights.importers.slack import read_slack_xml

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "slack"

CHANNEL = """<slack>
  <team_domain>t</team_domain><channel_name>help</channel_name>
  <start_date>2017-01-01T00:00:00</start_date><end_date>2017-12-31T00:00:00</end_date>
  <message conversation_id="1"><ts>2017-05-01T10:00:00.5</ts><user>Ann</user>
    <text>How do I loop?  </text></message>
  <message conversation_id="2"><ts>2017-05-01T11:00:00</ts><user>Bob</user>
    <text>Release notes are out</text></message>
  <message conversation_id="1"><ts>2017-05-01T12:00:00</ts><user>Bob</user>
    <text>&lt;@Ann&gt; use for, ask &lt;@U77|carl&gt; or &lt;@Ann&gt;</text></message>
  <message conversation_id="1"><ts>2017-05-01T13:00:00</ts><user>Ann</user>
    <text /><text>thanks</text></message>
</slack>
"""


def _read(tmp_path: Path, text: str) -> Dataset:
    path = tmp_path / "channel.xml"
    path.write_text(text)
    return read_slack_xml(path)


def test_conversations_become_threads(tmp_path: Path) -> None:
    data = _read(tmp_path, CHANNEL)
    content = data.content.sort("content_id")
    people = dict(zip(data.people["display_name"], data.people["person_id"], strict=True))
    assert sorted(people) == ["Ann", "Bob", "U77"]
    assert content["kind"].to_list() == ["question", "post", "comment", "comment"]
    assert content["root_id"].to_list() == [1, 2, 1, 1]
    assert content["parent_id"].to_list() == [None, None, 1, 1]
    assert content["text"][3] == "thanks"
    assert data.spaces["name"].to_list() == ["#help"]
    events = data.events
    comments = events.filter(pl.col("verb") == "commented")
    assert comments["target_id"].to_list() == [people["Ann"], people["Ann"]]
    mentions = events.filter(pl.col("verb") == "mentioned")
    assert sorted(mentions["target_id"].to_list()) == sorted([people["Ann"], people["U77"]])
    assert events.filter(pl.col("verb") == "posted")["target_id"].null_count() == 2
    assert events["at"].is_sorted()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "<slack><message conversation_id='1'><ts>x</ts><user>A</user></message></slack>",
            r":1: <ts> 'x' is not",
        ),
        (
            "<slack>\n<message conversation_id='1'><ts>2017-01-01</ts></message></slack>",
            r":2: <message> has no <user>",
        ),
        (
            "<slack>\n\n<message><ts>2017-01-01</ts><user>A</user></message></slack>",
            r":3: <message> has no conversation_id",
        ),
        (
            "<slack>\n<message conversation_id='1'>\n<ts>2017</message></slack>",
            r":3: malformed XML",
        ),
    ],
)
def test_malformed_xml_names_line(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(ImportFormatError, match=r"channel\.xml" + reason):
        _read(tmp_path, text)


def test_empty_channel(tmp_path: Path) -> None:
    data = _read(tmp_path, "<slack><channel_name>c</channel_name></slack>")
    assert data.content.height == 0 and data.events.height == 0


@pytest.mark.dataset
def test_racket_general() -> None:
    path = DATA / "racket-general-2017.xml"
    if not path.exists():
        pytest.skip(f"dataset absent: {path}")
    data = read_slack_xml(path)
    assert data.content.height == 6_757
    roots = data.content.filter(pl.col("parent_id").is_null())
    assert roots.height == 565  # one root per conversation_id
    assert data.people.height == 98  # 85 authors and 13 people only mentioned
    assert data.events.filter(pl.col("verb") == "commented").height == 6_757 - 565

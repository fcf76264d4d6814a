"""A Slack channel export in the MSR 2020 "disentangled chat" XML -> contract tables.

Structure (checked on racket-general-2017.xml)::

    <slack><team_domain/><channel_name/><start_date/><end_date/>
      <message conversation_id="2"><ts>2017-05-12T10:21:29.214211</ts><user>David</user>
        <text>&lt;@Theron&gt;: thanks</text></message> ...

Mapping: the channel is one open internal space. In each conversation the earliest message
(by ``ts``, then file order) is the root: a ``question`` when its text ends with "?", else a
``post`` (event ``posted`` either way, no target). Every later message is a ``comment`` whose
parent and root are that root (Slack threads are flat), with a ``commented`` event whose
target is the root's author. Each distinct ``<@name>`` or ``<@U123|label>`` in a text is a
``mentioned`` event (target: the person before the ``|``). People are every author and every
mentioned name, numbered 1.. in alphabetical order. Times carry no zone and are read as UTC.
A message may hold several ``<text>`` elements (one file does); they are joined by newlines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.parsers import expat

import polars as pl

from rucher.insights.contract import Dataset
from rucher.insights.importers.edges import ImportFormatError

MENTION = re.compile(r"<@([^>|\s]+)(?:\|[^>]*)?>")
BLOCK_BYTES = 1024 * 1024
CHANNEL_SPACE_ID = 1

Progress = Callable[[int], None]


@dataclass
class _Message:
    line: int
    conversation: str
    ts: str = ""
    user: str = ""
    texts: list[str] = field(default_factory=list)


@dataclass
class _SlackParse:
    """Expat callbacks collecting the messages as parallel columns."""

    path: Path
    parser: expat.XMLParserType
    channel: dict[str, str] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    conversations: list[str] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    current: _Message | None = None
    buffer: list[str] = field(default_factory=list)
    depth: int = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        self.buffer = []
        if name == "message":
            conversation = attributes.get("conversation_id", "").strip()
            if not conversation:
                self._fail("<message> has no conversation_id attribute")
            self.current = _Message(self.parser.CurrentLineNumber, conversation)

    def end(self, name: str) -> None:
        self.depth -= 1
        text = "".join(self.buffer)
        self.buffer = []
        message = self.current
        if message is None:
            if self.depth == 1:  # team_domain, channel_name, start_date, end_date
                self.channel[name] = text.strip()
            return
        if name == "ts":
            message.ts = text.strip()
        elif name == "user":
            message.user = text.strip()
        elif name == "text":
            message.texts.append(text)
        elif name == "message":
            self._keep(message)
            self.current = None

    def characters(self, data: str) -> None:
        self.buffer.append(data)

    def _keep(self, message: _Message) -> None:
        if not message.user:
            self._fail("<message> has no <user>", message.line)
        try:
            at = datetime.fromisoformat(message.ts)
        except ValueError:
            self._fail(f"<ts> {message.ts[:40]!r} is not an ISO date-time", message.line)
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        self.lines.append(message.line)
        self.conversations.append(message.conversation)
        self.times.append(at)
        self.users.append(message.user)
        self.texts.append("\n".join(t for t in message.texts if t.strip()))

    def _fail(self, reason: str, line: int | None = None) -> None:
        raise ImportFormatError(f"{self.path}:{line or self.parser.CurrentLineNumber}: {reason}")


def read_slack_xml(path: Path, progress: Progress | None = None) -> Dataset:
    parser = expat.ParserCreate()
    parse = _SlackParse(path, parser)
    parser.StartElementHandler = parse.start
    parser.EndElementHandler = parse.end
    parser.CharacterDataHandler = parse.characters
    parser.buffer_text = True
    with path.open("rb") as handle:
        try:
            while block := handle.read(BLOCK_BYTES):
                parser.Parse(block, False)
                if progress is not None:
                    progress(len(block))
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            reason = expat.errors.messages.get(error.code, str(error))
            raise ImportFormatError(f"{path}:{error.lineno}: malformed XML ({reason})") from error
    return _to_dataset(parse)


def _to_dataset(parse: _SlackParse) -> Dataset:
    messages = pl.DataFrame(
        {
            "line": pl.Series(parse.lines, dtype=pl.Int64),
            "conversation": pl.Series(parse.conversations, dtype=pl.Utf8),
            "created_at": pl.Series(parse.times, dtype=pl.Datetime("us", "UTC")),
            "user": pl.Series(parse.users, dtype=pl.Utf8),
            "text": pl.Series(parse.texts, dtype=pl.Utf8),
        }
    ).with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("content_id"))
    mentions = messages.select(
        "content_id",
        "user",
        "created_at",
        pl.col("text").str.extract_all(MENTION.pattern).alias("mention"),
    ).explode("mention")
    mentions = (
        mentions.drop_nulls("mention")
        .with_columns(pl.col("mention").str.extract(MENTION.pattern, 1))
        .unique(["content_id", "mention"], maintain_order=True)
    )
    names = pl.concat([messages["user"], mentions["mention"]]).unique().sort()
    people = pl.DataFrame({"display_name": names}).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("person_id")
    )
    person = dict(zip(people["display_name"], people["person_id"], strict=True))

    messages = messages.with_columns(
        pl.col("user").replace_strict(person, return_dtype=pl.Int64).alias("author_id")
    ).sort("created_at", "content_id")
    roots = messages.group_by("conversation", maintain_order=True).agg(
        pl.col("content_id").first().alias("root_id"),
        pl.col("author_id").first().alias("root_author"),
    )
    messages = messages.join(roots, on="conversation", how="left")
    is_root = pl.col("content_id") == pl.col("root_id")
    asks = pl.col("text").str.strip_chars().str.ends_with("?")
    content = messages.select(
        "content_id",
        pl.when(~is_root)
        .then(pl.lit("comment"))
        .when(asks)
        .then(pl.lit("question"))
        .otherwise(pl.lit("post"))
        .alias("kind"),
        "author_id",
        pl.lit(CHANNEL_SPACE_ID, dtype=pl.Int64).alias("space_id"),
        pl.when(is_root).then(None).otherwise(pl.col("root_id")).alias("parent_id"),
        "root_id",
        "created_at",
        "text",
    )
    contributions = messages.select(
        pl.col("created_at").alias("at"),
        pl.col("author_id").alias("actor_id"),
        pl.when(is_root).then(pl.lit("posted")).otherwise(pl.lit("commented")).alias("verb"),
        pl.col("content_id").alias("object_id"),
        pl.when(is_root).then(None).otherwise(pl.col("root_author")).alias("target_id"),
        pl.lit(0).alias("order"),
    )
    mentioned = mentions.select(
        pl.col("created_at").alias("at"),
        pl.col("user").replace_strict(person, return_dtype=pl.Int64).alias("actor_id"),
        pl.lit("mentioned").alias("verb"),
        pl.col("content_id").alias("object_id"),
        pl.col("mention").replace_strict(person, return_dtype=pl.Int64).alias("target_id"),
        pl.lit(1).alias("order"),
    )
    events = (
        pl.concat([contributions, mentioned])
        .sort("at", "object_id", "order", "target_id", nulls_last=False)
        .select(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("event_id"),
            "at",
            "actor_id",
            "verb",
            pl.lit("content").alias("object_type"),
            "object_id",
            pl.lit(CHANNEL_SPACE_ID, dtype=pl.Int64).alias("space_id"),
            "target_id",
        )
    )
    first_time = messages["created_at"].min() if messages.height else None
    channel_start = _channel_time(parse.channel.get("start_date")) or first_time
    spaces = pl.DataFrame(
        {
            "space_id": [CHANNEL_SPACE_ID],
            "name": ["#" + (parse.channel.get("channel_name") or "channel")],
            "kind": ["internal"],
            "visibility": ["open"],
            "created_at": pl.Series([channel_start], dtype=pl.Datetime("us", "UTC")),
        }
    )
    return Dataset(
        people=people.select("person_id", "display_name"),
        spaces=spaces,
        content=content.sort("content_id"),
        events=events,
    )


def _channel_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

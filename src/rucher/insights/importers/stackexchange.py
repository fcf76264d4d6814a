"""Read a Stack Exchange data dump (the standard XML files) into the four contract tables.

Mapping (see docs/insights.md, "Stack Exchange import"):

- the site is one space (id 1); users are people (kind ``employee``);
- questions -> content ``question`` + an ``asked`` event; answers -> ``answer`` + an
  ``answered`` event whose target is the asker; an accepted answer -> ``accepted=True`` and an
  ``accepted_answer`` event (actor = asker, target = answerer); comments -> ``comment`` + a
  ``commented`` event whose target is the owner of the post commented on;
- tags -> topics (answers and comments inherit the topics of their question);
- up/down votes -> ``reacted`` events (value +1 / -1) targeting the post owner. Dumps do not
  say who voted, so every vote's actor is the reserved person ``ANONYMOUS_VOTER_ID``.

Reserved people have negative ids (Stack Exchange's own "Community" bot is -1): they are
system accounts, never ranked as experts or influencers (see ``is_system_person``).
Parsing is streaming (``iterparse``) and all-or-nothing: any malformed file raises
``StackExchangeError`` naming the file, the line and the reason, before anything is built.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

import polars as pl

from rucher.insights.contract import ContractError, Dataset

SPACE_ID = 1
ANONYMOUS_VOTER_ID = -2  # the actor of every vote: dumps do not say who voted
DELETED_USER_ID = -3  # the author of posts and comments whose account is gone
COMMENT_ID_OFFSET = 1_000_000_000_000  # comment ids share the content-id space with posts
RESERVED_PEOPLE: dict[int, str] = {
    ANONYMOUS_VOTER_ID: "Anonymous voter (Stack Exchange)",
    DELETED_USER_ID: "Deleted user (Stack Exchange)",
}
UP_VOTE, DOWN_VOTE, ACCEPTED_VOTE = "2", "3", "1"

_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


class StackExchangeError(ContractError):
    """A dump file is missing or malformed; the message names the file, line and reason."""


DUMP_FILES: tuple[str, ...] = ("Users.xml", "Posts.xml", "Comments.xml", "Votes.xml")


def load_stackexchange(
    directory: str | Path,
    detect_language: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Dataset:
    """Parse a dump directory (Posts.xml and Users.xml required) into a ``Dataset``.

    ``progress`` is called with the number of bytes read as the files stream by. Badges,
    Tags and PostLinks have no place in the contract and are not read (topics come from
    each post's own tags).
    """
    root = Path(directory)
    if not root.is_dir():
        raise StackExchangeError(f"{root}: not a directory")
    for required in ("Posts.xml", "Users.xml"):
        if not (root / required).is_file():
            raise StackExchangeError(f"{root / required}: required file is missing")
    dump = _Dump()
    handlers = (dump.add_user, dump.add_post, dump.add_comment, dump.add_vote)
    for name, handler in zip(DUMP_FILES, handlers, strict=True):
        if (root / name).is_file():
            _read_rows(root / name, handler, progress)
    return dump.build(site_name=root.name, detect_language=detect_language)


# --- streaming XML ------------------------------------------------------------------------


class _LineReader:
    """Hands ``iterparse`` one line per read, so the events it yields belong to ``line``."""

    def __init__(self, handle: IO[bytes], progress: Callable[[int], None] | None) -> None:
        self.handle = handle
        self.progress = progress
        self.line = 0

    def read(self, _size: int = -1) -> bytes:
        data = self.handle.readline()
        if data:
            self.line += 1
            if self.progress is not None:
                self.progress(len(data))
        return data


Row = dict[str, str]


def _read_rows(
    path: Path, handler: Callable[[Row, str], None], progress: Callable[[int], None] | None
) -> None:
    with path.open("rb") as handle:
        reader = _LineReader(handle, progress)
        try:
            for element, root in _row_elements(reader):
                where = f"{path}: line {reader.line}"
                try:
                    handler(dict(element.attrib), where)
                finally:
                    element.clear()
                    root.clear()
        except ET.ParseError as error:
            line, column = error.position
            raise StackExchangeError(
                f"{path}: line {line}, column {column}: malformed XML ({error})"
            ) from error


def _row_elements(reader: _LineReader) -> Iterator[tuple[ET.Element, ET.Element]]:
    root: ET.Element | None = None
    for event, element in ET.iterparse(reader, events=("start", "end")):
        if event == "start":
            if root is None:
                root = element
            continue
        if element.tag == "row" and root is not None:
            yield element, root


# --- mapping ------------------------------------------------------------------------------


def _required(row: Row, name: str, where: str) -> str:
    value = row.get(name)
    if value is None or value == "":
        raise StackExchangeError(f"{where}: required attribute '{name}' is missing")
    return value


def _integer(row: Row, name: str, where: str, required: bool = True) -> int | None:
    value = _required(row, name, where) if required else row.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError as error:
        message = f"{where}: attribute '{name}' is not an integer: {value!r}"
        raise StackExchangeError(message) from error


def _timestamp(row: Row, name: str, where: str) -> datetime:
    value = _required(row, name, where)
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        message = f"{where}: attribute '{name}' is not a date: {value!r}"
        raise StackExchangeError(message) from error


def _plain_text(markup: str) -> str:
    return _SPACES.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()


def _tags(value: str | None) -> list[str]:
    # Old dumps write "<a><b>", newer ones "|a|b|".
    if not value:
        return []
    return [tag for tag in re.split(r"[<>|]+", value) if tag]


@dataclass
class _Dump:
    people: dict[str, list[Any]] = field(
        default_factory=lambda: {"person_id": [], "display_name": [], "joined_at": []}
    )
    posts: dict[str, list[Any]] = field(
        default_factory=lambda: {
            k: []
            for k in ("post_id", "kind", "owner", "parent", "created", "text", "tags", "accepted")
        }
    )
    comments: dict[str, list[Any]] = field(
        default_factory=lambda: {
            k: [] for k in ("comment_id", "post_id", "owner", "created", "text")
        }
    )
    votes: dict[str, list[Any]] = field(
        default_factory=lambda: {k: [] for k in ("post_id", "type", "day")}
    )

    def add_user(self, row: Row, where: str) -> None:
        self.people["person_id"].append(_integer(row, "Id", where))
        self.people["display_name"].append(row.get("DisplayName") or f"user{row['Id']}")
        self.people["joined_at"].append(_timestamp(row, "CreationDate", where))

    def add_post(self, row: Row, where: str) -> None:
        post_type = _required(row, "PostTypeId", where)
        if post_type not in ("1", "2"):  # tag wikis, nominations: not conversations
            return
        post_id = _integer(row, "Id", where)
        parent = _integer(row, "ParentId", where, required=post_type == "2")
        title = row.get("Title", "")
        body = _plain_text(row.get("Body", ""))
        self.posts["post_id"].append(post_id)
        self.posts["kind"].append("question" if post_type == "1" else "answer")
        self.posts["owner"].append(_integer(row, "OwnerUserId", where, required=False))
        self.posts["parent"].append(parent)
        self.posts["created"].append(_timestamp(row, "CreationDate", where))
        self.posts["text"].append(f"{title}\n\n{body}" if title else body)
        self.posts["tags"].append(_tags(row.get("Tags")))
        self.posts["accepted"].append(_integer(row, "AcceptedAnswerId", where, required=False))

    def add_comment(self, row: Row, where: str) -> None:
        self.comments["comment_id"].append(_integer(row, "Id", where))
        self.comments["post_id"].append(_integer(row, "PostId", where))
        self.comments["owner"].append(_integer(row, "UserId", where, required=False))
        self.comments["created"].append(_timestamp(row, "CreationDate", where))
        self.comments["text"].append(row.get("Text", ""))

    def add_vote(self, row: Row, where: str) -> None:
        vote_type = _required(row, "VoteTypeId", where)
        if vote_type not in (UP_VOTE, DOWN_VOTE, ACCEPTED_VOTE):
            return
        self.votes["post_id"].append(_integer(row, "PostId", where))
        self.votes["type"].append(vote_type)
        self.votes["day"].append(_timestamp(row, "CreationDate", where))

    def build(self, site_name: str, detect_language: bool) -> Dataset:
        return _assemble(self, site_name, detect_language)


def _assemble(dump: _Dump, site_name: str, detect_language: bool) -> Dataset:
    utc = pl.Datetime("us", "UTC")
    posts = pl.DataFrame(
        dump.posts,
        schema={
            "post_id": pl.Int64,
            "kind": pl.Utf8,
            "owner": pl.Int64,
            "parent": pl.Int64,
            "created": pl.Datetime("us"),
            "text": pl.Utf8,
            "tags": pl.List(pl.Utf8),
            "accepted": pl.Int64,
        },
    ).with_columns(
        pl.col("created").dt.replace_time_zone("UTC"),
        pl.col("owner").fill_null(DELETED_USER_ID),
    )
    if posts.get_column("post_id").is_duplicated().any():
        dupes = posts.filter(pl.col("post_id").is_duplicated())["post_id"].unique().to_list()
        raise StackExchangeError(f"Posts.xml: duplicate post Id(s) {dupes[:5]}")
    questions = posts.filter(pl.col("kind") == "question").select(
        pl.col("post_id").alias("question_id"),
        pl.col("owner").alias("asker"),
        pl.col("tags").alias("question_tags"),
        pl.col("accepted").alias("accepted_answer_id"),
    )
    # An answer whose question is absent from the dump (deleted) cannot be placed: dropped.
    answers = posts.filter(pl.col("kind") == "answer").join(
        questions, left_on="parent", right_on="question_id", how="inner"
    )
    accepted_ids = questions["accepted_answer_id"].drop_nulls()
    content_posts = pl.concat(
        [
            posts.filter(pl.col("kind") == "question").select(
                pl.col("post_id").alias("content_id"),
                "kind",
                pl.col("owner").alias("author_id"),
                pl.lit(None, dtype=pl.Int64).alias("parent_id"),
                pl.col("post_id").alias("root_id"),
                pl.col("created").alias("created_at"),
                "text",
                pl.col("tags").alias("topics"),
                pl.lit(False).alias("accepted"),
            ),
            answers.select(
                pl.col("post_id").alias("content_id"),
                "kind",
                pl.col("owner").alias("author_id"),
                pl.col("parent").alias("parent_id"),
                pl.col("parent").alias("root_id"),
                pl.col("created").alias("created_at"),
                "text",
                pl.col("question_tags").alias("topics"),
                pl.col("post_id").is_in(accepted_ids.implode()).alias("accepted"),
            ),
        ]
    )
    post_meta = content_posts.select(
        pl.col("content_id").alias("post_id"),
        pl.col("author_id").alias("post_owner"),
        "root_id",
        pl.col("topics").alias("post_topics"),
        pl.col("created_at").alias("post_created"),
    )
    comments = (
        pl.DataFrame(
            dump.comments,
            schema={
                "comment_id": pl.Int64,
                "post_id": pl.Int64,
                "owner": pl.Int64,
                "created": pl.Datetime("us"),
                "text": pl.Utf8,
            },
        )
        .with_columns(
            pl.col("created").dt.replace_time_zone("UTC"),
            pl.col("owner").fill_null(DELETED_USER_ID),
        )
        .join(post_meta, on="post_id", how="inner")
    )
    content = pl.concat(
        [
            content_posts,
            comments.select(
                (pl.col("comment_id") + COMMENT_ID_OFFSET).alias("content_id"),
                pl.lit("comment").alias("kind"),
                pl.col("owner").alias("author_id"),
                pl.col("post_id").alias("parent_id"),
                "root_id",
                pl.col("created").alias("created_at"),
                "text",
                pl.col("post_topics").alias("topics"),
                pl.lit(None, dtype=pl.Boolean).alias("accepted"),
            ),
        ]
    ).with_columns(pl.lit(SPACE_ID, dtype=pl.Int64).alias("space_id"))
    content = content.with_columns(
        _languages(content["text"])
        if detect_language
        else pl.lit(None, dtype=pl.Utf8).alias("lang")
    ).sort("created_at", "content_id")

    events = _events(posts, answers, comments, post_meta, dump)
    people = _people(dump, content, events)
    first_post = content["created_at"].min() if content.height else None
    spaces = pl.DataFrame(
        {
            "space_id": [SPACE_ID],
            "name": [site_name],
            "kind": ["internal"],
            "visibility": ["open"],
            "created_at": [first_post],
        },
        schema_overrides={"created_at": utc},
    )
    return Dataset(people=people, spaces=spaces, content=content, events=events)


def _events(
    posts: pl.DataFrame,
    answers: pl.DataFrame,
    comments: pl.DataFrame,
    post_meta: pl.DataFrame,
    dump: _Dump,
) -> pl.DataFrame:
    columns = ["at", "actor_id", "verb", "object_id", "target_id", "value", "order"]
    asked = posts.filter(pl.col("kind") == "question").select(
        pl.col("created").alias("at"),
        pl.col("owner").alias("actor_id"),
        pl.lit("asked").alias("verb"),
        pl.col("post_id").alias("object_id"),
        pl.lit(None, dtype=pl.Int64).alias("target_id"),
        pl.lit(None, dtype=pl.Float64).alias("value"),
        pl.lit(0).alias("order"),
    )
    answered = answers.select(
        pl.col("created").alias("at"),
        pl.col("owner").alias("actor_id"),
        pl.lit("answered").alias("verb"),
        pl.col("post_id").alias("object_id"),
        pl.col("asker").alias("target_id"),
        pl.lit(None, dtype=pl.Float64).alias("value"),
        pl.lit(1).alias("order"),
    )
    commented = comments.select(
        pl.col("created").alias("at"),
        pl.col("owner").alias("actor_id"),
        pl.lit("commented").alias("verb"),
        (pl.col("comment_id") + COMMENT_ID_OFFSET).alias("object_id"),
        pl.col("post_owner").alias("target_id"),
        pl.lit(None, dtype=pl.Float64).alias("value"),
        pl.lit(2).alias("order"),
    )
    votes = pl.DataFrame(
        dump.votes, schema={"post_id": pl.Int64, "type": pl.Utf8, "day": pl.Datetime("us")}
    ).with_columns(
        # The dump gives only the day: stamp the vote at the end of it (the latest moment it
        # can have happened) so that "before t" never sees a vote cast after t.
        (pl.col("day").dt.truncate("1d").dt.replace_time_zone("UTC") + pl.duration(days=1))
        - pl.duration(milliseconds=1)
    )
    reacted = votes.filter(pl.col("type") != ACCEPTED_VOTE).join(
        post_meta, on="post_id", how="inner"
    )
    reacted = reacted.select(
        pl.max_horizontal("day", "post_created").alias("at"),
        pl.lit(ANONYMOUS_VOTER_ID, dtype=pl.Int64).alias("actor_id"),
        pl.lit("reacted").alias("verb"),
        "post_id",
        pl.col("post_owner").alias("target_id"),
        pl.when(pl.col("type") == UP_VOTE).then(1.0).otherwise(-1.0).alias("value"),
        pl.lit(3).alias("order"),
    ).rename({"post_id": "object_id"})
    accept_days = (
        votes.filter(pl.col("type") == ACCEPTED_VOTE)
        .group_by("post_id")
        .agg(pl.col("day").max().alias("accept_day"))
    )
    # Acceptance time: the "accepted" vote's day (end of day) when the dump has it; else the
    # answer's creation time, the earliest it can have happened.
    accepted = (
        answers.filter(pl.col("post_id") == pl.col("accepted_answer_id"))
        .join(accept_days, on="post_id", how="left")
        .select(
            pl.max_horizontal("created", "accept_day").alias("at"),
            pl.col("asker").alias("actor_id"),
            pl.lit("accepted_answer").alias("verb"),
            pl.col("post_id").alias("object_id"),
            pl.col("owner").alias("target_id"),
            pl.lit(None, dtype=pl.Float64).alias("value"),
            pl.lit(4).alias("order"),
        )
    )
    frames = [f.select(columns) for f in (asked, answered, commented, reacted, accepted)]
    return (
        pl.concat(frames, how="vertical_relaxed")
        .sort("at", "order", "object_id", maintain_order=True)
        .with_row_index("event_id", offset=1)
        .with_columns(
            pl.col("event_id").cast(pl.Int64),
            pl.lit("content").alias("object_type"),
            pl.lit(SPACE_ID, dtype=pl.Int64).alias("space_id"),
        )
        .drop("order")
    )


def _people(dump: _Dump, content: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    users = pl.DataFrame(
        dump.people,
        schema={"person_id": pl.Int64, "display_name": pl.Utf8, "joined_at": pl.Datetime("us")},
    ).with_columns(pl.col("joined_at").dt.replace_time_zone("UTC"))
    if users.get_column("person_id").is_duplicated().any():
        raise StackExchangeError("Users.xml: duplicate user Id(s)")
    reserved = pl.DataFrame(
        {"person_id": list(RESERVED_PEOPLE), "display_name": list(RESERVED_PEOPLE.values())},
        schema={"person_id": pl.Int64, "display_name": pl.Utf8},
    )
    referenced = pl.concat(
        [content["author_id"], events["actor_id"], events["target_id"].drop_nulls()]
    ).unique()
    # Posts may name a user the Users file lacks (a purged account): keep them as people.
    missing = referenced.filter(
        ~referenced.is_in(users["person_id"].implode())
        & ~referenced.is_in(reserved["person_id"].implode())
    )
    unknown = pl.DataFrame({"person_id": missing}).with_columns(
        pl.format("user{}", pl.col("person_id")).alias("display_name")
    )
    people = pl.concat([users, reserved, unknown], how="diagonal_relaxed")
    return people.with_columns(
        pl.when(pl.col("person_id") < 0)
        .then(pl.lit("guest"))
        .otherwise(pl.lit("employee"))
        .alias("kind"),
        pl.when(pl.col("person_id") < 0)
        .then(pl.lit("system"))
        .otherwise(pl.lit("stackexchange"))
        .alias("organisation"),
    ).sort("person_id")


def _languages(texts: pl.Series) -> pl.Series:
    """ "fr", "en" or "unknown" per text, with the shared detector (offline, py3langid)."""
    from rucher.insights.text import detect_languages

    return pl.Series("lang", detect_languages(texts.to_list()), dtype=pl.Utf8)

"""The four tables of the event-log contract, as Polars frames.

The insights engine reads only these tables, so it runs the same on the live database
(exported by ``rucher export``) and on an imported dataset. Nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from rucher.insights.verbs import CONTRIBUTION_VERBS as CONTRIBUTION_VERBS
from rucher.insights.verbs import VERBS as VERBS

UTC_DATETIME = pl.Datetime("us", "UTC")

PEOPLE_SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.Int64(),
    "display_name": pl.Utf8(),
    "department": pl.Utf8(),
    "site": pl.Utf8(),
    "kind": pl.Utf8(),  # employee | partner | guest
    "organisation": pl.Utf8(),
    "manager_id": pl.Int64(),
    "joined_at": UTC_DATETIME,
    "left_at": UTC_DATETIME,
}

SPACES_SCHEMA: dict[str, pl.DataType] = {
    "space_id": pl.Int64(),
    "name": pl.Utf8(),
    "kind": pl.Utf8(),  # internal | partner
    "visibility": pl.Utf8(),  # open | private | secret
    "parent_id": pl.Int64(),
    "created_at": UTC_DATETIME,
}

CONTENT_SCHEMA: dict[str, pl.DataType] = {
    "content_id": pl.Int64(),
    "kind": pl.Utf8(),  # post | comment | question | answer | poll
    "author_id": pl.Int64(),
    "space_id": pl.Int64(),
    "parent_id": pl.Int64(),
    "root_id": pl.Int64(),
    "created_at": UTC_DATETIME,
    "text": pl.Utf8(),
    "lang": pl.Utf8(),
    "topics": pl.List(pl.Utf8()),
    "accepted": pl.Boolean(),
    # A poll's kind: "nps" (0–10 "how likely are you to recommend…") or "choice" (the
    # ``voted`` value is the option's position); null when the source does not say.
    "poll_kind": pl.Utf8(),
    # The item's stored sentiment in [-1, 1] (``rucher.sentiment``, scored once after it was
    # written); null when not scored (an import, an item written before the backfill).
    "sentiment": pl.Float64(),
}

EVENTS_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.Int64(),
    "at": UTC_DATETIME,
    "actor_id": pl.Int64(),
    "verb": pl.Utf8(),
    "object_type": pl.Utf8(),
    "object_id": pl.Int64(),
    "space_id": pl.Int64(),
    "target_id": pl.Int64(),  # the person acted upon
    "value": pl.Float64(),
}

TABLES: dict[str, dict[str, pl.DataType]] = {
    "people": PEOPLE_SCHEMA,
    "spaces": SPACES_SCHEMA,
    "content": CONTENT_SCHEMA,
    "events": EVENTS_SCHEMA,
}

# Columns that may never be null: every other column is optional.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("person_id",),
    "spaces": ("space_id",),
    "content": ("content_id", "kind", "author_id", "created_at"),
    "events": ("event_id", "at", "actor_id", "verb"),
}

CONTENT_KINDS: frozenset[str] = frozenset({"post", "comment", "question", "answer", "poll"})
POLL_KINDS: frozenset[str] = frozenset({"nps", "choice"})

Format = Literal["parquet", "csv"]


def is_system_person(person_id: pl.Expr | str = "person_id") -> pl.Expr:
    """Negative person ids are system accounts (an importer's "anonymous voter", a deleted
    user, a bot): they may carry events, and what they wrote counts in volumes, but they are
    never people in a metric (never ranked, never active, never in a denominator)."""
    column = pl.col(person_id) if isinstance(person_id, str) else person_id
    return column < 0


def is_person(person_id: pl.Expr | str = "person_id") -> pl.Expr:
    """The complement of ``is_system_person``."""
    return ~is_system_person(person_id)


def without_system_actors(events: pl.DataFrame) -> pl.DataFrame:
    """The events done by real people (see ``is_system_person``)."""
    return events.filter(~is_system_person("actor_id"))


class ContractError(ValueError):
    """A table does not follow the contract; the message says which table, column and why."""


def empty_frame(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=TABLES[table])


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with exactly the contract's columns and types, or raise ContractError.

    Missing optional columns are added as nulls; extra columns are dropped; a required
    column that is missing or holds nulls, or a value that cannot be cast, is an error.
    """
    schema = TABLES[table]
    for column in REQUIRED_COLUMNS[table]:
        if column not in frame.columns:
            raise ContractError(f"{table}: required column '{column}' is missing")
    columns: list[pl.Expr | pl.Series] = []
    for name, dtype in schema.items():
        if name not in frame.columns:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
            continue
        source = frame.get_column(name)
        try:
            columns.append(_cast(source, dtype).alias(name))
        except (pl.exceptions.PolarsError, ValueError) as error:
            raise ContractError(f"{table}.{name}: cannot read as {dtype}: {error}") from error
    conformed = frame.select(columns) if frame.height else pl.DataFrame(schema=schema)
    for column in REQUIRED_COLUMNS[table]:
        nulls = conformed.get_column(column).null_count()
        if nulls:
            raise ContractError(f"{table}.{column}: {nulls} row(s) have no value")
    if table == "events":
        unknown = set(conformed.get_column("verb").unique().to_list()) - VERBS
        if unknown:
            raise ContractError(f"events.verb: unknown verb(s) {sorted(unknown)}")
    if table == "content":
        unknown = set(conformed.get_column("kind").unique().to_list()) - CONTENT_KINDS
        if unknown:
            raise ContractError(f"content.kind: unknown kind(s) {sorted(unknown)}")
        unknown = set(conformed.get_column("poll_kind").drop_nulls().unique().to_list())
        if unknown - POLL_KINDS:
            raise ContractError(
                f"content.poll_kind: unknown kind(s) {sorted(unknown - POLL_KINDS)}"
            )
    return conformed


def _cast(series: pl.Series, dtype: pl.DataType) -> pl.Series:
    if isinstance(dtype, pl.Datetime):
        if series.dtype == pl.Utf8:
            series = series.str.to_datetime(time_zone="UTC", strict=True)
        elif series.dtype.is_integer():
            series = pl.from_epoch(series, time_unit="s")
        if isinstance(series.dtype, pl.Datetime):
            if series.dtype.time_zone is None:
                series = series.dt.replace_time_zone("UTC")
            return series.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if isinstance(dtype, pl.List) and series.dtype == pl.Utf8:
        # CSV stores topics as "a|b|c".
        return series.str.split("|").list.eval(pl.element().filter(pl.element() != ""))
    return series.cast(dtype, strict=True)


@dataclass
class Dataset:
    """The four contract tables, conformed."""

    people: pl.DataFrame = field(default_factory=lambda: empty_frame("people"))
    spaces: pl.DataFrame = field(default_factory=lambda: empty_frame("spaces"))
    content: pl.DataFrame = field(default_factory=lambda: empty_frame("content"))
    events: pl.DataFrame = field(default_factory=lambda: empty_frame("events"))

    def __post_init__(self) -> None:
        for table in TABLES:
            setattr(self, table, conform(table, getattr(self, table)))

    def frames(self) -> dict[str, pl.DataFrame]:
        return {table: getattr(self, table) for table in TABLES}

    def write(self, directory: Path, fmt: Format = "parquet") -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for table, frame in self.frames().items():
            path = directory / f"{table}.{fmt}"
            tmp = path.with_suffix(path.suffix + ".tmp")
            if fmt == "parquet":
                frame.write_parquet(tmp)
            else:
                flat = frame
                if "topics" in frame.columns:
                    flat = frame.with_columns(pl.col("topics").list.join("|"))
                flat.write_csv(tmp)
            tmp.replace(path)  # never leave a half-written table behind
            written.append(path)
        return written

    @classmethod
    def read(cls, directory: Path) -> Dataset:
        frames: dict[str, pl.DataFrame] = {}
        for table in TABLES:
            parquet, csv = directory / f"{table}.parquet", directory / f"{table}.csv"
            if parquet.exists():
                frames[table] = pl.read_parquet(parquet)
            elif csv.exists():
                frames[table] = pl.read_csv(csv, infer_schema_length=10000)
            else:
                raise ContractError(f"{directory}: no {table}.parquet or {table}.csv")
        return cls(**frames)

"""Edge lists -> contract tables: SNAP e-mail edges ("src dst") and messages ("src dst unix_time").

Each non-blank, non-comment line is one message from ``src`` to ``dst``: one ``messaged`` event
(actor ``src``, target ``dst``). Self-loops stay in the data (metrics ignore them). Without a
time column the event is dated ``UNKNOWN_TIME`` (1970-01-01 UTC, documented in
docs/insights.md). Lines starting with ``#`` or ``%`` are comments (SNAP and KONECT).

The file is read in blocks of bytes and each block is parsed as a column (Polars regex), so
memory stays bounded by the block and the result, and a progress callback sees the bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from rucher.insights.contract import ContractError, Dataset

UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)
BLOCK_BYTES = 8 * 1024 * 1024

EDGE_PATTERN = r"^\s*(\d+)\s+(\d+)(?:\s+(\d+))?\s*$"
EDGE_SHAPE = "'src dst' or 'src dst unix_time' (non-negative integers)"
DEPARTMENT_PATTERN = r"^\s*(\d+)\s+(\S+)\s*$"
DEPARTMENT_SHAPE = "'person department' (an integer and a label)"

Progress = Callable[[int], None]


class ImportFormatError(ContractError):
    """A source file is malformed; the message names the file, the line and the reason."""


def read_email_edges(
    edges_path: Path,
    departments_path: Path | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """A SNAP-style e-mail edge list (and optionally "person department") as a Dataset."""
    edges = read_edge_lines(edges_path, progress)
    departments = read_departments(departments_path) if departments_path else None
    return edges_to_dataset(edges, departments, kind="employee")


def read_messages(path: Path, progress: Progress | None = None) -> Dataset:
    """A "src dst unix_time" message log (e.g. SNAP CollegeMsg) as a Dataset."""
    return edges_to_dataset(read_edge_lines(path, progress), None, kind=None)


def read_edge_lines(path: Path, progress: Progress | None = None) -> pl.DataFrame:
    """Columns source, target, unix_time (null when the line has no time), line."""
    blocks = []
    for lines, first_number in _line_blocks(path, progress):
        groups = _matched_groups(path, lines, first_number, EDGE_PATTERN, EDGE_SHAPE, 3)
        blocks.append(
            groups.select(
                _integer(path, groups, "g1", "src").alias("source"),
                _integer(path, groups, "g2", "dst").alias("target"),
                _integer(path, groups, "g3", "unix_time").alias("unix_time"),
                "line",
            )
        )
    schema = {"source": pl.Int64, "target": pl.Int64, "unix_time": pl.Int64, "line": pl.Int64}
    if not blocks:
        return pl.DataFrame(schema=schema)
    return pl.concat(blocks).cast(schema)  # type: ignore[arg-type]


def read_departments(path: Path) -> pl.DataFrame:
    """Columns person_id, department from "person department" lines; one department each."""
    blocks = []
    for lines, first_number in _line_blocks(path, None):
        groups = _matched_groups(path, lines, first_number, DEPARTMENT_PATTERN, DEPARTMENT_SHAPE, 2)
        blocks.append(
            groups.select(
                _integer(path, groups, "g1", "person").alias("person_id"),
                pl.col("g2").alias("department"),
                "line",
            )
        )
    if not blocks:
        return pl.DataFrame(schema={"person_id": pl.Int64, "department": pl.Utf8})
    frame = pl.concat(blocks)
    first_label = pl.col("department").first().over("person_id", order_by="line")
    conflicting = frame.filter(pl.col("department") != first_label).sort("line")
    if conflicting.height:
        line, person = conflicting.item(0, "line"), conflicting.item(0, "person_id")
        raise ImportFormatError(f"{path}:{line}: person {person} already has another department")
    return frame.unique("person_id", keep="first", maintain_order=True).drop("line")


def edges_to_dataset(
    edges: pl.DataFrame, departments: pl.DataFrame | None, kind: str | None
) -> Dataset:
    """One ``messaged`` event per edge, people from every id seen (and the departments)."""
    events = edges.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("event_id"),
        pl.when(pl.col("unix_time").is_null())
        .then(pl.lit(UNKNOWN_TIME))
        .otherwise(pl.from_epoch(pl.col("unix_time"), time_unit="s").dt.replace_time_zone("UTC"))
        .alias("at"),
        pl.col("source").alias("actor_id"),
        pl.lit("messaged").alias("verb"),
        pl.lit("person").alias("object_type"),
        pl.col("target").alias("object_id"),
        pl.col("target").alias("target_id"),
    )
    ids = [edges["source"], edges["target"]]
    if departments is not None:
        ids.append(departments["person_id"])
    people = pl.DataFrame({"person_id": pl.concat(ids).unique().sort()}).with_columns(
        pl.col("person_id").cast(pl.Utf8).alias("display_name"),
        pl.lit(kind, dtype=pl.Utf8).alias("kind"),
    )
    if departments is not None:
        people = people.join(departments, on="person_id", how="left")
    return Dataset(people=people, events=events)


def _line_blocks(path: Path, progress: Progress | None) -> Iterator[tuple[list[str], int]]:
    """Blocks of whole lines and the 1-based number of each block's first line."""
    next_number = 1
    pending = b""
    with path.open("rb") as handle:
        while True:
            block = handle.read(BLOCK_BYTES)
            if progress is not None and block:
                progress(len(block))
            data = pending + block
            if block:
                cut = data.rfind(b"\n") + 1
                data, pending = data[:cut], data[cut:]
            if data:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError as error:
                    line = next_number + data[: error.start].count(b"\n")
                    raise ImportFormatError(f"{path}:{line}: not UTF-8 text") from error
                lines = text.split("\n")
                if lines and lines[-1] == "":
                    lines.pop()
                yield lines, next_number
                next_number += len(lines)
            if not block:
                return


def _matched_groups(
    path: Path, lines: list[str], first_number: int, pattern: str, shape: str, groups: int
) -> pl.DataFrame:
    frame = pl.DataFrame({"text": pl.Series(lines, dtype=pl.Utf8)}).with_columns(
        pl.int_range(first_number, first_number + pl.len(), dtype=pl.Int64).alias("line")
    )
    stripped = pl.col("text").str.strip_chars()
    frame = frame.filter(
        (stripped != "") & ~stripped.str.starts_with("#") & ~stripped.str.starts_with("%")
    )
    extracted = frame.select(
        "line",
        "text",
        *[
            pl.col("text").str.extract(pattern, index).alias(f"g{index}")
            for index in range(1, groups + 1)
        ],
    )
    bad = extracted.filter(pl.col("g1").is_null() | pl.col("g2").is_null())
    if bad.height:
        line, text = bad.item(0, "line"), bad.item(0, "text")
        raise ImportFormatError(f"{path}:{line}: expected {shape}, got {text.strip()[:80]!r}")
    return extracted


def _integer(path: Path, frame: pl.DataFrame, column: str, what: str) -> pl.Series:
    if column not in frame.columns:
        return pl.Series(column, [None] * frame.height, dtype=pl.Int64)
    values = frame.get_column(column).cast(pl.Int64, strict=False)
    overflow = values.is_null() & frame.get_column(column).is_not_null()
    if overflow.any():
        index = int(overflow.arg_max() or 0)
        line = frame.item(index, "line")
        raise ImportFormatError(f"{path}:{line}: {what} is too large for a 64-bit integer")
    return values

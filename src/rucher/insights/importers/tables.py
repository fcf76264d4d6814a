"""A folder of the four contract tables as CSV or JSON Lines -> a conformed Dataset.

For each of people, spaces, content and events the folder holds ``<table>.csv`` or
``<table>.jsonl`` (not both); a missing table is empty, but at least one must be present.
CSV cells are read as text and cast by ``contract.conform`` (times ISO 8601, topics "a|b",
booleans true/false/1/0). People who act in events or author content without a row in the
people table are added with their id only, so every id resolves.

The fast path reads a whole file with Polars; only when that fails is the file read again
line by line, to name the first bad line and the reason.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import polars as pl

from rucher.insights.contract import (
    CONTENT_KINDS,
    REQUIRED_COLUMNS,
    TABLES,
    VERBS,
    ContractError,
    Dataset,
    conform,
)
from rucher.insights.importers.edges import ImportFormatError

TRUE_TEXT = ("true", "1", "yes", "t")
FALSE_TEXT = ("false", "0", "no", "f")


def read_tables(directory: Path) -> Dataset:
    frames: dict[str, pl.DataFrame] = {}
    for table in TABLES:
        csv_path, jsonl_path = directory / f"{table}.csv", directory / f"{table}.jsonl"
        if csv_path.exists() and jsonl_path.exists():
            raise ImportFormatError(f"{directory}: both {table}.csv and {table}.jsonl; keep one")
        if csv_path.exists():
            frames[table] = _conformed(table, csv_path, _read_csv(csv_path), 1)
        elif jsonl_path.exists():
            frames[table] = _conformed(table, jsonl_path, _read_jsonl(jsonl_path), 0)
    if not frames:
        names = ", ".join(f"{t}.csv/.jsonl" for t in TABLES)
        raise ImportFormatError(f"{directory}: none of {names}")
    dataset = Dataset(**frames)
    dataset.people = _with_missing_people(dataset)
    return dataset


def _read_csv(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except pl.exceptions.PolarsError as error:
        _locate_csv_error(path)
        raise ImportFormatError(f"{path}: unreadable CSV ({_first_line(error)})") from error
    if not frame.width:
        return frame
    # A blank line reads as a row of nulls; it is not data.
    return frame.filter(~pl.all_horizontal(pl.all().is_null()))


def _read_jsonl(path: Path) -> pl.DataFrame:
    try:
        return pl.read_ndjson(path, infer_schema_length=None)
    except pl.exceptions.PolarsError as error:
        _locate_jsonl_error(path)
        raise ImportFormatError(f"{path}: unreadable JSON Lines ({_first_line(error)})") from error


def _locate_csv_error(path: Path) -> None:
    with path.open(newline="", encoding="utf-8", errors="strict") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, [])
            for row in reader:
                if row and len(row) != len(header):
                    raise ImportFormatError(
                        f"{path}:{reader.line_num}: {len(row)} fields, the header has {len(header)}"
                    )
        except (csv.Error, UnicodeDecodeError) as error:
            raise ImportFormatError(f"{path}:{reader.line_num}: {error}") from error


def _locate_jsonl_error(path: Path) -> None:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ImportFormatError(f"{path}:{number}: invalid JSON ({error.msg})") from error
            if not isinstance(record, dict):
                raise ImportFormatError(f"{path}:{number}: expected a JSON object per line")


def _conformed(table: str, path: Path, frame: pl.DataFrame, header_lines: int) -> pl.DataFrame:
    frame = _booleans_from_text(table, path, frame, header_lines)
    try:
        return conform(table, frame)
    except ContractError as error:
        line = _first_bad_row(table, frame, header_lines)
        where = f"{path}:{line}" if line is not None else str(path)
        raise ImportFormatError(f"{where}: {error}") from error


def _booleans_from_text(
    table: str, path: Path, frame: pl.DataFrame, header_lines: int
) -> pl.DataFrame:
    for name, dtype in TABLES[table].items():
        if dtype != pl.Boolean() or name not in frame.columns or frame[name].dtype != pl.Utf8:
            continue
        lowered = frame[name].str.strip_chars().str.to_lowercase()
        unknown = lowered.is_not_null() & (lowered != "") & ~lowered.is_in(TRUE_TEXT + FALSE_TEXT)
        if unknown.any():
            line = int(unknown.arg_max() or 0) + header_lines + 1
            value = frame[name][line - header_lines - 1]
            raise ImportFormatError(f"{path}:{line}: {table}.{name}: {value!r} is not true/false")
        text = pl.col(name).str.strip_chars().str.to_lowercase()
        frame = frame.with_columns(
            pl.when(text.is_null() | (text == ""))
            .then(pl.lit(None, dtype=pl.Boolean))
            .otherwise(text.is_in(TRUE_TEXT))
            .alias(name)
        )
    return frame


def _first_bad_row(table: str, frame: pl.DataFrame, header_lines: int) -> int | None:
    """The file line of the first row that ``conform`` rejects, or None (e.g. a missing
    column). Each cell is cast leniently: a value that turns into null failed."""
    bad = pl.Series([False] * frame.height)
    for name, dtype in TABLES[table].items():
        if name not in frame.columns:
            continue
        column = frame.get_column(name)
        if name in REQUIRED_COLUMNS[table]:
            bad = bad | column.is_null()
        try:
            cast = _lenient_cast(column, dtype)
        except pl.exceptions.PolarsError:
            continue
        bad = bad | (cast.is_null() & column.is_not_null())
    if "verb" in frame.columns and table == "events":
        bad = bad | ~frame.get_column("verb").cast(pl.Utf8).is_in(list(VERBS))
    if "kind" in frame.columns and table == "content":
        bad = bad | ~frame.get_column("kind").cast(pl.Utf8).is_in(list(CONTENT_KINDS))
    if not bad.any():
        return None
    return int(bad.arg_max() or 0) + header_lines + 1


def _lenient_cast(column: pl.Series, dtype: pl.DataType) -> pl.Series:
    if isinstance(dtype, pl.Datetime) and column.dtype == pl.Utf8:
        return column.str.to_datetime(time_zone="UTC", strict=False)
    if isinstance(dtype, pl.List):
        return column
    return column.cast(dtype, strict=False)


def _with_missing_people(dataset: Dataset) -> pl.DataFrame:
    referenced = pl.concat(
        [
            dataset.events["actor_id"],
            dataset.events["target_id"],
            dataset.content["author_id"],
            dataset.people["manager_id"],
        ]
    ).drop_nulls()
    missing = np.setdiff1d(referenced.to_numpy(), dataset.people["person_id"].to_numpy())
    if missing.size == 0:
        return dataset.people
    added = conform("people", pl.DataFrame({"person_id": missing.astype(np.int64)}))
    return pl.concat([dataset.people, added])


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

"""The ties between people as arrays: who talked to whom, and each end's department.

Built once per report from the interaction events; the department figures (``silos``) and
the bridge people (``bridges``) read it. NumPy arrays and SciPy sparse matrices throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

# Person ids are usually dense database keys: a lookup table indexed by id is then the
# fastest way to resolve 10 M tie ends. Above this many cells, binary search instead.
MAX_LOOKUP_CELLS = 50_000_000


@dataclass(frozen=True)
class SiloGraph:
    """One entry per tie (source, target, at) and the department code of each end (-1: none).

    ``node_ids`` are the people in some tie (sorted) and ``source_index``/``target_index`` the
    position of each end in it. ``departments`` are the names in code order, ``sizes`` the
    people in each; ``member_ids`` (sorted) and ``member_codes`` say who belongs where.
    """

    source: np.ndarray
    target: np.ndarray
    at: pl.Series
    node_ids: np.ndarray
    source_index: np.ndarray
    target_index: np.ndarray
    departments: list[str]
    sizes: np.ndarray
    member_ids: np.ndarray
    member_codes: np.ndarray
    source_code: np.ndarray
    target_code: np.ndarray

    @property
    def labelled(self) -> np.ndarray:
        """Ties whose two ends have a department."""
        return (self.source_code >= 0) & (self.target_code >= 0)


def build_silo_graph(people: pl.DataFrame, ties: pl.DataFrame) -> SiloGraph:
    """``ties`` has columns source, target, at (one row per interaction, no self-loops)."""
    departments = (
        people.select("person_id", pl.col("department").str.strip_chars())
        .filter(pl.col("department").is_not_null() & (pl.col("department") != ""))
        .unique("person_id", keep="first")
        .sort("person_id")
    )
    names, codes = np.unique(departments["department"].to_numpy().astype(str), return_inverse=True)
    member_ids = departments["person_id"].to_numpy().astype(np.int64)
    codes = codes.astype(np.int64)
    source = ties["source"].to_numpy().astype(np.int64)
    target = ties["target"].to_numpy().astype(np.int64)
    node_ids = np.sort(pl.concat([ties["source"], ties["target"]]).unique().to_numpy())
    node_ids = node_ids.astype(np.int64)
    nodes = np.arange(node_ids.size, dtype=np.int64)
    return SiloGraph(
        source=source,
        target=target,
        at=ties["at"],
        node_ids=node_ids,
        source_index=lookup(source, node_ids, nodes),
        target_index=lookup(target, node_ids, nodes),
        departments=[str(name) for name in names],
        sizes=np.bincount(codes, minlength=names.size).astype(np.int64),
        member_ids=member_ids,
        member_codes=codes,
        source_code=lookup(source, member_ids, codes),
        target_code=lookup(target, member_ids, codes),
    )


def lookup(keys: np.ndarray, sorted_ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values[i]`` where ``sorted_ids[i] == key``, else -1, for every key."""
    if sorted_ids.size == 0 or keys.size == 0:
        return np.full(keys.size, -1, dtype=np.int64)
    low = min(int(sorted_ids[0]), int(keys.min()))
    high = max(int(sorted_ids[-1]), int(keys.max()))
    if low >= 0 and high < MAX_LOOKUP_CELLS:
        table = np.full(high + 1, -1, dtype=np.int64)
        table[sorted_ids] = values
        return table[keys]
    position = np.clip(np.searchsorted(sorted_ids, keys), 0, sorted_ids.size - 1)
    return np.where(sorted_ids[position] == keys, values[position], -1).astype(np.int64)

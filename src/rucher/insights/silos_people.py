"""Silos seen through people: the tie arrays, bridge people, detected communities.

Split from ``silos.py`` (department-level figures) to keep each file on one responsibility.
Everything works on NumPy arrays and SciPy sparse matrices built once from the ties.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse

from rucher.insights.communities import louvain, modularity
from rucher.insights.results import Result, not_enough_data

# Below these, a figure says "not enough data" rather than a number driven by a handful of ties.
MIN_TIES = 10
MIN_DEPARTMENTS = 2
# A bridge needs enough ties for its spread across departments to mean something.
MIN_BRIDGE_TIES = 5
TOP_BRIDGES = 20
BRIDGE_EVIDENCE_DEPARTMENTS = 5
# Person ids are usually dense database keys: a lookup table indexed by id is then the
# fastest way to resolve 10 M tie ends. Above this many cells, binary search instead.
MAX_LOOKUP_CELLS = 50_000_000
# People x departments counted in a dense array up to this many cells, sparse beyond.
MAX_DENSE_REACH_CELLS = 5_000_000


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
        source_index=_lookup(source, node_ids, nodes),
        target_index=_lookup(target, node_ids, nodes),
        departments=[str(name) for name in names],
        sizes=np.bincount(codes, minlength=names.size).astype(np.int64),
        member_ids=member_ids,
        member_codes=codes,
        source_code=_lookup(source, member_ids, codes),
        target_code=_lookup(target, member_ids, codes),
    )


def _lookup(keys: np.ndarray, sorted_ids: np.ndarray, values: np.ndarray) -> np.ndarray:
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


def bridge_people(graph: SiloGraph) -> Result:
    name = "bridge_people"
    method = (
        "Participation coefficient (Guimerà & Amaral 2005) P_i = 1 - sum_s (k_is / k_i)^2 over "
        "the departments s of i's partners (k_is = ties with s, either direction); the top "
        f"people with at least {MIN_BRIDGE_TIES} ties to people with a department, by P then "
        "ties; evidence: the departments each one connects, most ties first."
    )
    parameters = {"min_ties": MIN_BRIDGE_TIES, "top": TOP_BRIDGES}
    row = np.concatenate([graph.source_index, graph.target_index])
    other = np.concatenate([graph.target_code, graph.source_code])
    row, other = row[other >= 0], other[other >= 0]
    if row.size == 0:
        return not_enough_data(name, method, 0, MIN_BRIDGE_TIES, parameters)
    ids = graph.node_ids
    reach = _reach_matrix(row, other, ids.size, len(graph.departments))
    ties = np.asarray(reach.sum(axis=1)).ravel()
    share = sparse.csr_matrix(sparse.diags(1 / np.maximum(ties, 1)) @ reach)
    participation = 1 - np.asarray(share.multiply(share).sum(axis=1)).ravel()
    reached = np.diff(reach.indptr)
    eligible = np.flatnonzero(ties >= MIN_BRIDGE_TIES)
    if eligible.size == 0:
        return not_enough_data(name, method, int(ties.max()), MIN_BRIDGE_TIES, parameters)
    ranked = eligible[np.lexsort((ids[eligible], -ties[eligible], -participation[eligible]))]
    own = _own_departments(graph, ids)
    rows = []
    for index in ranked[:TOP_BRIDGES]:
        start, end = reach.indptr[index], reach.indptr[index + 1]
        order = np.argsort(-reach.data[start:end], kind="stable")[:BRIDGE_EVIDENCE_DEPARTMENTS]
        rows.append(
            {
                "person_id": int(ids[index]),
                "own_department": own[index],
                "ties": int(ties[index]),
                "participation": float(participation[index]),
                "departments_reached": int(reached[index]),
                "connects": [
                    {
                        "department": graph.departments[int(reach.indices[start + i])],
                        "ties": int(reach.data[start + i]),
                    }
                    for i in order
                ],
            }
        )
    return Result(
        name=name,
        value=rows,
        method=method,
        parameters=parameters,
        denominator=int(eligible.size),
        evidence=[row["person_id"] for row in rows],
    )


def _reach_matrix(
    row: np.ndarray, code: np.ndarray, people: int, departments: int
) -> sparse.csr_matrix:
    """Ties of each person (row) with each department (column)."""
    if people * departments <= MAX_DENSE_REACH_CELLS:
        dense = np.bincount(row * departments + code, minlength=people * departments)
        return sparse.csr_matrix(dense.reshape(people, departments).astype(np.float64))
    reach = sparse.csr_matrix(
        (np.ones(row.size), (row, code)), shape=(people, departments), dtype=np.float64
    )
    reach.sum_duplicates()
    return reach


def _own_departments(graph: SiloGraph, ids: np.ndarray) -> list[str | None]:
    if graph.member_ids.size == 0:
        return [None] * ids.size
    position = np.clip(np.searchsorted(graph.member_ids, ids), 0, graph.member_ids.size - 1)
    found = graph.member_ids[position] == ids
    return [
        graph.departments[int(graph.member_codes[p])] if ok else None
        for p, ok in zip(position.tolist(), found.tolist(), strict=True)
    ]


def detected_communities(graph: SiloGraph, seed: int = 0) -> Result:
    name = "communities_vs_departments"
    method = (
        "Louvain communities (seeded) on the undirected graph weighted by tie counts, "
        "compared with departments by normalised mutual information (arithmetic mean), "
        "over the people who have a department and at least one tie."
    )
    if graph.source.size < MIN_TIES:
        return not_enough_data(name, method, int(graph.source.size), MIN_TIES, {"seed": seed})
    ids = graph.node_ids
    rows = np.concatenate([graph.source_index, graph.target_index])
    cols = np.concatenate([graph.target_index, graph.source_index])
    matrix = sparse.csr_matrix(
        (np.ones(rows.size), (rows, cols)), shape=(ids.size,) * 2, dtype=np.float64
    )
    matrix.sum_duplicates()
    labels = louvain(matrix, seed=seed)
    sizes = np.bincount(labels)
    person_code = _lookup(ids, graph.member_ids, graph.member_codes)
    compared = person_code >= 0
    parameters = {
        "seed": seed,
        "communities": int(sizes.size),
        "community_modularity": modularity(matrix, labels),
        "largest_communities": sorted(sizes.tolist(), reverse=True)[:10],
        "people_compared": int(compared.sum()),
    }
    if compared.sum() < MIN_TIES or np.unique(person_code[compared]).size < MIN_DEPARTMENTS:
        return not_enough_data(name, method, int(compared.sum()), MIN_TIES, parameters)
    from sklearn.metrics import normalized_mutual_info_score

    value = float(normalized_mutual_info_score(person_code[compared], labels[compared]))
    members = np.argsort(labels, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    evidence = [
        {"community": c, "person_ids": ids[members[bounds[c] : bounds[c + 1]]].tolist()}
        for c in range(sizes.size)
    ]
    return Result(
        name=name,
        value=value,
        method=method,
        parameters=parameters,
        denominator=int(compared.sum()),
        evidence=evidence,
    )

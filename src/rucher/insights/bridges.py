"""Bridge people: who links departments that otherwise talk little (the silos' way out)."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from rucher.insights.results import Result, not_enough_data
from rucher.insights.silo_graph import SiloGraph

# A bridge needs enough ties for its spread across departments to mean something.
MIN_BRIDGE_TIES = 5
TOP_BRIDGES = 20
BRIDGE_EVIDENCE_DEPARTMENTS = 5
# People x departments counted in a dense array up to this many cells, sparse beyond.
MAX_DENSE_REACH_CELLS = 5_000_000


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

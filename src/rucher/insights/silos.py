"""Silos between departments: how much people interact across department lines.

The graph is every interaction event of ``graph.interaction_edges`` (messages, comments,
answers, reactions, mentions, shares, accepted answers), each counted once whatever its verb,
undirected, self-loops dropped. A *tie* below is one such event. Formulas, references and
measured figures: docs/insights.md.

People without a department are left out of every department figure (their count and the
ties lost with them are stated); detected communities use everyone who interacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl
from scipy import sparse

from rucher.insights.bridges import bridge_people
from rucher.insights.communities import louvain, modularity
from rucher.insights.graph import DEFAULT_WEIGHTS, interaction_edges
from rucher.insights.results import Result, not_enough_data, safe_ratio
from rucher.insights.silo_graph import SiloGraph, build_silo_graph, lookup

# Below these, a figure says "not enough data" rather than a number driven by a handful of ties.
MIN_TIES = 10
MIN_DEPARTMENTS = 2

EI_METHOD = (
    "Krackhardt–Stern E-I index (E - I) / (E + I) over ties between people with a department: "
    "E = ties across departments, I = ties inside one. Expected under random mixing given "
    "department sizes: 1 - 2 * sum_g (n_g / N)^2."
)


@dataclass
class SiloReport:
    """Every silo figure, each a Result; ``to_dict`` gives the JSON of ``evaluate silos``."""

    ei_index: Result
    per_department: Result
    department_pairs: Result
    modularity: Result
    assortativity: Result
    bridges: Result
    communities: Result
    trend: Result
    coverage: dict[str, int] = field(default_factory=dict)

    def results(self) -> list[Result]:
        return [
            self.ei_index,
            self.per_department,
            self.department_pairs,
            self.modularity,
            self.assortativity,
            self.bridges,
            self.communities,
            self.trend,
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ei_observed": self.ei_index.value,
            "ei_expected": self.ei_index.parameters.get("expected"),
            "ei_expected_exact": self.ei_index.parameters.get("expected_without_self_ties"),
            "nmi": self.communities.value,
            "modularity": self.modularity.value,
            "assortativity": self.assortativity.value,
            "per_department": self.per_department.value,
            "coverage": self.coverage,
            "results": {r.name: r.to_dict() for r in self.results()},
        }


def silo_ties(events: pl.DataFrame) -> pl.DataFrame:
    """One row per interaction (source, target, at), self-loops and target-less events out."""
    counted = dict.fromkeys(DEFAULT_WEIGHTS, 1.0)
    return interaction_edges(events, weights=counted).select("source", "target", "at")


def silo_report(people: pl.DataFrame, events: pl.DataFrame, seed: int = 0) -> SiloReport:
    graph = silo_graph(people, events)
    known = graph.labelled
    mixing = _mixing_matrix(graph)
    coverage = {
        "people": people.height,
        "people_with_department": int(graph.sizes.sum()),
        "people_without_department": people.height - int(graph.sizes.sum()),
        "departments": len(graph.departments),
        "ties": int(graph.source.size),
        "ties_between_people_with_department": int(known.sum()),
        "ties_dropped_no_department": int(graph.source.size - known.sum()),
    }
    return SiloReport(
        ei_index=ei_index(mixing, coverage),
        per_department=per_department(mixing),
        department_pairs=department_pairs(mixing),
        modularity=department_modularity(mixing),
        assortativity=department_assortativity(mixing),
        bridges=bridge_people(graph),
        communities=detected_communities(graph, seed=seed),
        trend=ei_trend(graph),
        coverage=coverage,
    )


def silo_graph(people: pl.DataFrame, events: pl.DataFrame) -> SiloGraph:
    """The interaction ties of ``events`` as arrays, each end coded by its department."""
    return build_silo_graph(people, silo_ties(events))


@dataclass(frozen=True)
class _Mixing:
    """``counts[g, h]``: ties from department g to department h; ``sizes[g]``: its people."""

    names: list[str]
    sizes: np.ndarray
    counts: np.ndarray

    @property
    def symmetric(self) -> np.ndarray:
        return self.counts + self.counts.T

    @property
    def total(self) -> float:
        return float(self.counts.sum())

    @property
    def shares(self) -> np.ndarray:
        population = self.sizes.sum()
        return self.sizes / population if population else self.sizes.astype(np.float64)


def _mixing_matrix(graph: SiloGraph) -> _Mixing:
    d = len(graph.departments)
    known = graph.labelled
    pair = graph.source_code[known] * d + graph.target_code[known]
    counts = np.bincount(pair, minlength=d * d).reshape(d, d).astype(np.float64)
    return _Mixing(graph.departments, graph.sizes.astype(np.float64), counts)


def ei_index(mixing: _Mixing, coverage: dict[str, int]) -> Result:
    name = "ei_index"
    shares, population = mixing.shares, float(mixing.sizes.sum())
    if len(mixing.names) < MIN_DEPARTMENTS:
        return not_enough_data(name, EI_METHOD, len(mixing.names), MIN_DEPARTMENTS)
    if mixing.total < MIN_TIES:
        return not_enough_data(name, EI_METHOD, int(mixing.total), MIN_TIES)
    internal = float(np.trace(mixing.counts))
    external = mixing.total - internal
    n = mixing.sizes
    exact = 1 - 2 * float(np.sum(n * (n - 1))) / (population * (population - 1))
    return Result(
        name=name,
        value=safe_ratio(external - internal, external + internal),
        method=EI_METHOD,
        parameters={
            "expected": 1 - 2 * float(np.sum(shares**2)),
            "expected_without_self_ties": exact,
            "external_ties": int(external),
            "internal_ties": int(internal),
            "departments": len(mixing.names),
            "people_without_department": coverage["people_without_department"],
            "ties_dropped_no_department": coverage["ties_dropped_no_department"],
        },
        denominator=int(mixing.total),
    )


def per_department(mixing: _Mixing) -> Result:
    name = "ei_per_department"
    method = (
        "E-I index of each department g: E = ties with one end in g, I = ties inside g; "
        "expected under random mixing 1 - 2 * n_g / N."
    )
    if len(mixing.names) < MIN_DEPARTMENTS or mixing.total < MIN_TIES:
        return not_enough_data(name, method, int(mixing.total), MIN_TIES)
    shares = mixing.shares
    internal = np.diag(mixing.counts)
    touching = mixing.counts.sum(axis=0) + mixing.counts.sum(axis=1) - 2 * internal
    rows = []
    for index, department in enumerate(mixing.names):
        e, i = float(touching[index]), float(internal[index])
        rows.append(
            {
                "department": department,
                "size": int(mixing.sizes[index]),
                "internal_ties": int(i),
                "external_ties": int(e),
                "ei_observed": safe_ratio(e - i, e + i),
                "ei_expected": 1 - 2 * float(shares[index]),
            }
        )
    return Result(
        name=name,
        value=rows,
        method=method,
        parameters={"min_ties": MIN_TIES},
        denominator=int(mixing.total),
        evidence=mixing.names,
    )


def department_pairs(mixing: _Mixing) -> Result:
    name = "ei_department_pairs"
    method = (
        "For departments g and h: ties between them (either direction) against the number "
        "expected under random mixing, T * 2 * p_g * p_h; and the E-I index of the two "
        "departments alone (E = ties between, I = ties inside either), expected "
        "1 - 2 * (p_g^2 + p_h^2) / (p_g + p_h)^2."
    )
    if len(mixing.names) < MIN_DEPARTMENTS or mixing.total < MIN_TIES:
        return not_enough_data(name, method, int(mixing.total), MIN_TIES)
    shares = mixing.shares
    symmetric = mixing.symmetric
    internal = np.diag(mixing.counts)
    first, second = np.triu_indices(len(mixing.names), k=1)
    between = symmetric[first, second]
    inside = internal[first] + internal[second]
    p, q = shares[first], shares[second]
    expected_ties = mixing.total * 2 * p * q
    frame = pl.DataFrame(
        {
            "department_a": [mixing.names[i] for i in first],
            "department_b": [mixing.names[i] for i in second],
            "ties_between": between.astype(np.int64),
            "expected_ties": expected_ties,
            "ratio_to_expected": np.where(expected_ties > 0, between / expected_ties, np.nan),
            "ei_observed": np.where(
                between + inside > 0, (between - inside) / np.maximum(between + inside, 1), np.nan
            ),
            "ei_expected": 1 - 2 * (p**2 + q**2) / (p + q) ** 2,
        }
    ).fill_nan(None)
    return Result(
        name=name,
        value=frame.sort("ratio_to_expected", nulls_last=True).to_dicts(),
        method=method,
        parameters={"pairs": frame.height},
        denominator=int(mixing.total),
    )


def department_modularity(mixing: _Mixing) -> Result:
    name = "department_modularity"
    method = (
        "Newman's modularity of the department partition on the undirected graph weighted "
        "by tie counts: Q = sum_g [ I_g / T - (d_g / 2T)^2 ], d_g = the degree sum of g."
    )
    if len(mixing.names) < MIN_DEPARTMENTS or mixing.total < MIN_TIES:
        return not_enough_data(name, method, int(mixing.total), MIN_TIES)
    symmetric = mixing.symmetric
    two_t = float(symmetric.sum())
    degree = symmetric.sum(axis=1)
    value = float(np.sum(np.diag(mixing.counts) / mixing.total - (degree / two_t) ** 2))
    return Result(name=name, value=value, method=method, denominator=int(mixing.total))


def department_assortativity(mixing: _Mixing) -> Result:
    name = "department_assortativity"
    method = (
        "Newman's categorical assortativity r = (sum_g e_gg - sum_g a_g^2) / (1 - sum_g a_g^2), "
        "e = the symmetric mixing matrix of tie ends normalised to 1, a_g its row sums."
    )
    if len(mixing.names) < MIN_DEPARTMENTS or mixing.total < MIN_TIES:
        return not_enough_data(name, method, int(mixing.total), MIN_TIES)
    mixing_share = mixing.symmetric / float(mixing.symmetric.sum())
    a = mixing_share.sum(axis=1)
    expected = float(np.sum(a**2))
    return Result(
        name=name,
        value=safe_ratio(float(np.trace(mixing_share)) - expected, 1 - expected),
        method=method,
        denominator=int(mixing.total),
    )


def ei_trend(graph: SiloGraph) -> Result:
    name = "ei_trend"
    method = (
        "E-I index per calendar month of the ties dated in it (both ends with a department); "
        f"a month with fewer than {MIN_TIES} ties has no value; months without ties are listed. "
        "Expected value as for the whole period."
    )
    known = graph.labelled
    if len(graph.departments) < MIN_DEPARTMENTS or int(known.sum()) < MIN_TIES:
        return not_enough_data(name, method, int(known.sum()), MIN_TIES)
    at = graph.at.filter(pl.Series(known))
    month = (at.dt.year().cast(pl.Int64) * 12 + at.dt.month().cast(pl.Int64) - 1).to_numpy()
    first = int(month.min())
    offset = month - first
    internal = graph.source_code[known] == graph.target_code[known]
    ties = np.bincount(offset)
    inside = np.bincount(offset, weights=internal, minlength=ties.size).astype(np.int64)
    rows = []
    for index, count in enumerate(ties.tolist()):
        year, month_index = divmod(first + index, 12)
        inner = int(inside[index])
        rows.append(
            {
                "month": datetime(year, month_index + 1, 1, tzinfo=UTC),
                "ties": count,
                "internal_ties": inner,
                "external_ties": count - inner,
                "ei_observed": (count - 2 * inner) / count if count >= MIN_TIES else None,
            }
        )
    return Result(
        name=name,
        value=rows,
        method=method,
        parameters={"every": "calendar month", "min_ties": MIN_TIES},
        denominator=int(known.sum()),
        evidence={"expected": 1 - 2 * float(np.sum(_shares_of(graph.sizes) ** 2))},
    )


def _shares_of(sizes: np.ndarray) -> np.ndarray:
    total = sizes.sum()
    return sizes / total if total else sizes.astype(np.float64)


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
    person_code = lookup(ids, graph.member_ids, graph.member_codes)
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

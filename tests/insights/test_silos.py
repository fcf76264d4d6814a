"""Silo figures against hand computations, networkx, and the email-Eu-core reference."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
import pytest
from scipy import sparse
from sklearn.metrics import normalized_mutual_info_score

from rucher.insights.communities import louvain, modularity
from rucher.insights.contract import Dataset
from rucher.insights.silos import silo_report

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "email-eu-core"

# a1..a3 in A, b1 b2 in B, c1 without a department.
DEPARTMENTS = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B", 6: None}
PAIRS = [(1, 2), (2, 3), (1, 4), (4, 5), (5, 3), (1, 1), (6, 1)]
REPEAT = 3  # every pair three times, so the figures clear MIN_TIES


def _dataset(pairs: list[tuple[int, int]], times: list[datetime] | None = None) -> Dataset:
    at = times or [datetime(2024, 1, 15, tzinfo=UTC)] * len(pairs)
    events = pl.DataFrame(
        {
            "event_id": range(1, len(pairs) + 1),
            "at": at,
            "actor_id": [a for a, _ in pairs],
            "verb": ["messaged"] * len(pairs),
            "target_id": [b for _, b in pairs],
        }
    )
    people = pl.DataFrame(
        {"person_id": list(DEPARTMENTS), "department": list(DEPARTMENTS.values())}
    )
    return Dataset(people=people, events=events)


@pytest.fixture
def small() -> Dataset:
    return _dataset(PAIRS * REPEAT)


def test_ei_index_by_hand(small: Dataset) -> None:
    report = silo_report(small.people, small.events)
    # Ties with departments: I = a1a2, a2a3, b1b2; E = a1b1, b2a3 (each x3).
    assert report.ei_index.value == pytest.approx((2 - 3) / 5)
    assert report.ei_index.parameters["expected"] == pytest.approx(1 - 2 * (0.6**2 + 0.4**2))
    assert report.ei_index.parameters["expected_without_self_ties"] == pytest.approx(
        1 - 2 * (3 * 2 + 2 * 1) / (5 * 4)
    )
    assert report.coverage["people_without_department"] == 1
    assert report.coverage["ties_dropped_no_department"] == REPEAT  # c1 -> a1
    assert report.coverage["ties"] == 6 * REPEAT  # the self-loop is gone


def test_per_department_and_pairs_by_hand(small: Dataset) -> None:
    report = silo_report(small.people, small.events)
    rows = {row["department"]: row for row in report.per_department.value}
    assert rows["A"]["ei_observed"] == pytest.approx(0.0)  # I = 2, E = 2
    assert rows["A"]["ei_expected"] == pytest.approx(1 - 2 * 0.6)
    assert rows["B"]["ei_observed"] == pytest.approx((2 - 1) / 3)
    (pair,) = report.department_pairs.value
    assert pair["ties_between"] == 2 * REPEAT
    assert pair["expected_ties"] == pytest.approx(15 * 2 * 0.6 * 0.4)
    assert pair["ei_observed"] == pytest.approx((2 - 3) / 5)


def test_modularity_and_assortativity_by_hand_and_networkx(small: Dataset) -> None:
    report = silo_report(small.people, small.events)
    # Tie ends: AA 12, BB 6, AB 6 + BA 6 out of 30 -> tr e = 0.6, sum a^2 = 0.52.
    assert report.modularity.value == pytest.approx(0.6 - 0.52)
    assert report.assortativity.value == pytest.approx(0.08 / 0.48)
    graph = nx.Graph()
    for a, b in PAIRS:
        if a != b and DEPARTMENTS[a] and DEPARTMENTS[b]:
            graph.add_edge(a, b, weight=REPEAT)
    parts = [{1, 2, 3}, {4, 5}]
    assert report.modularity.value == pytest.approx(nx.community.modularity(graph, parts))


def test_assortativity_matches_networkx_on_random_graph() -> None:
    rng = np.random.default_rng(3)
    pairs = [(int(a), int(b)) for a, b in rng.integers(1, 6, size=(200, 2))]
    data = _dataset(pairs)
    report = silo_report(data.people, data.events)
    multi = nx.MultiGraph()
    for a, b in pairs:
        if a != b and DEPARTMENTS[a] and DEPARTMENTS[b]:
            multi.add_edge(a, b)
    nx.set_node_attributes(multi, {k: v for k, v in DEPARTMENTS.items() if v}, "dept")
    expected = nx.attribute_assortativity_coefficient(multi, "dept")
    assert report.assortativity.value == pytest.approx(expected)


def test_bridge_participation(small: Dataset) -> None:
    report = silo_report(small.people, small.events)
    bridges = {row["person_id"]: row for row in report.bridges.value}
    # a1: 3 ties to A (a2), 3 to B (b1): P = 1 - 0.25 - 0.25. c1's tie to a1 has no department.
    assert bridges[1]["participation"] == pytest.approx(0.5)
    assert bridges[1]["departments_reached"] == 2
    assert bridges[2]["participation"] == pytest.approx(0.0)


def test_trend_fills_silent_months() -> None:
    january, march = datetime(2024, 1, 5, tzinfo=UTC), datetime(2024, 3, 5, tzinfo=UTC)
    pairs = [(1, 2)] * 10 + [(1, 4)] * 12
    data = _dataset(pairs, [january] * 10 + [march] * 12)
    months = silo_report(data.people, data.events).trend.value
    assert [m["ties"] for m in months] == [10, 0, 12]
    assert [m["ei_observed"] for m in months] == [-1.0, None, 1.0]


@pytest.mark.parametrize(
    "pairs", [[], [(1, 1)], [(1, 2)], [(6, 6)]], ids=["empty", "self", "one", "no-dept"]
)
def test_edge_cases_never_crash(pairs: list[tuple[int, int]]) -> None:
    data = _dataset(pairs)
    report = silo_report(data.people, data.events)
    for result in report.results():
        assert result.status == "not_enough_data"
        assert result.value is None
    assert report.to_dict()["ei_observed"] is None


def test_no_departments_at_all() -> None:
    data = _dataset(PAIRS * 5)
    people = data.people.with_columns(pl.lit(None, dtype=pl.Utf8).alias("department"))
    report = silo_report(people, data.events)
    assert report.ei_index.status == "not_enough_data"
    assert report.coverage["people_without_department"] == len(DEPARTMENTS)


def _planted(groups: int, size: int, seed: int) -> tuple[sparse.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(groups), size)
    n = truth.size
    a, b = rng.integers(0, n, size=(2, n * 60))
    inside = truth[a] == truth[b]
    keep = (inside | (rng.random(a.size) < 0.02)) & (a != b)
    directed = sparse.coo_matrix((np.ones(keep.sum()), (a[keep], b[keep])), shape=(n, n))
    return sparse.csr_matrix(directed + directed.T), truth


def test_louvain_recovers_planted_partition_deterministically() -> None:
    graph, truth = _planted(8, 40, seed=1)
    labels = louvain(graph, seed=7)
    assert normalized_mutual_info_score(truth, labels) > 0.95
    assert np.array_equal(labels, louvain(graph, seed=7))


def test_louvain_modularity_close_to_networkx() -> None:
    graph, _ = _planted(6, 30, seed=2)
    labels = louvain(graph, seed=0)
    g = nx.from_scipy_sparse_array(graph)
    parts = [set(np.flatnonzero(labels == c).tolist()) for c in np.unique(labels)]
    assert modularity(graph, labels) == pytest.approx(nx.community.modularity(g, parts))
    reference = nx.community.modularity(g, nx.community.louvain_communities(g, seed=0))
    assert modularity(graph, labels) >= reference - 0.02


def test_louvain_edge_cases() -> None:
    assert louvain(sparse.csr_matrix((0, 0))).size == 0
    assert list(louvain(sparse.csr_matrix((3, 3)))) == [0, 1, 2]
    assert modularity(sparse.csr_matrix((2, 2)), np.array([0, 1])) is None
    loop_only = sparse.csr_matrix(([2.0], ([0], [0])), shape=(2, 2))
    assert list(louvain(loop_only)) == [0, 1]


def test_louvain_with_many_nodes_per_batch_matches_networkx() -> None:
    # 720 nodes: batches of 90 nodes decide together at the first level.
    graph, truth = _planted(12, 60, seed=3)
    labels = louvain(graph, seed=5)
    assert normalized_mutual_info_score(truth, labels) > 0.95
    assert np.array_equal(labels, louvain(graph, seed=5))
    g = nx.from_scipy_sparse_array(graph)
    reference = nx.community.modularity(g, nx.community.louvain_communities(g, seed=0))
    assert modularity(graph, labels) >= reference - 0.01


def test_lone_nodes_deciding_together_do_not_swap_forever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Disjoint pairs, every node in one batch: each wants its partner's community at once.
    Without the guard both ends would swap places on every pass and stay apart."""
    from rucher.insights import communities

    monkeypatch.setattr(communities, "BATCH_NEIGHBOURS", 1e9)
    monkeypatch.setattr(communities, "MIN_BATCHES", 1)
    pairs = 20
    left = np.arange(0, 2 * pairs, 2)
    ends = np.concatenate([left, left + 1]), np.concatenate([left + 1, left])
    graph = sparse.csr_matrix((np.ones(2 * pairs), ends), shape=(2 * pairs,) * 2)
    assert communities._batch_size(2 * pairs, graph.nnz) == 2 * pairs
    # Every wanted community is emptied by the same batch: all moves wait.
    state = communities._LocalMoving(sparse.csr_matrix(graph), 1.0)
    assert state.move_batch(np.arange(2 * pairs)) == (0, 2 * pairs)
    assert np.array_equal(state.labels, np.arange(2 * pairs))
    labels = louvain(graph, seed=0)
    assert np.array_equal(labels[left], labels[left + 1])
    assert np.unique(labels).size == pairs
    assert modularity(graph, labels) == pytest.approx(1 - 1 / pairs)


def test_one_node_per_batch_is_the_sequential_algorithm(monkeypatch: pytest.MonkeyPatch) -> None:
    """With batches of one node, every move is taken against up-to-date labels: the result
    is a local optimum where no single node can gain by moving (checked by brute force)."""
    from rucher.insights import communities

    monkeypatch.setattr(communities, "BATCH_NEIGHBOURS", 1e-9)
    graph, _ = _planted(4, 15, seed=4)
    state = communities._LocalMoving(graph, 1.0)
    assert communities._batch_size(state.n, state.links.nnz) == 1
    labels, moved = communities._local_moving(graph, np.random.default_rng(0), 1.0, 100)
    assert moved
    best = modularity(graph, labels)
    assert best is not None
    for node in range(graph.shape[0]):
        for community in np.unique(labels):
            trial = labels.copy()
            trial[node] = community
            assert (modularity(graph, trial) or 0.0) <= best + 1e-9


@pytest.mark.dataset
def test_email_eu_core_reference_figures() -> None:
    edges = DATA / "email-Eu-core.txt"
    labels = DATA / "email-Eu-core-department-labels.txt"
    if not edges.exists() or not labels.exists():
        pytest.skip(f"dataset absent: {DATA}")
    from rucher.insights.importers.edges import read_email_edges

    data = read_email_edges(edges, labels)
    report = silo_report(data.people, data.events)
    assert report.ei_index.value == pytest.approx(0.306, abs=0.001)
    assert report.ei_index.parameters["expected"] == pytest.approx(0.905, abs=0.001)
    assert 0.5 < report.communities.value < 0.7
    assert report.modularity.value == pytest.approx(0.299, abs=0.001)
    ties = (
        data.events.filter(pl.col("actor_id") != pl.col("target_id"))
        .select(
            pl.min_horizontal("actor_id", "target_id").alias("a"),
            pl.max_horizontal("actor_id", "target_id").alias("b"),
        )
        .group_by("a", "b")
        .len()
    )
    g = nx.Graph()
    g.add_weighted_edges_from(ties.iter_rows())
    parts = nx.community.louvain_communities(g, weight="weight", seed=0)
    reference = nx.community.modularity(g, parts, weight="weight")
    found = report.communities.parameters["community_modularity"]
    assert found >= reference - 0.01


def test_large_ids_and_sparse_paths_agree(small: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    from rucher.insights import bridges

    reference = silo_report(small.people, small.events)
    shift = 10**12  # beyond the lookup table: binary search instead
    people = small.people.with_columns(pl.col("person_id") + shift)
    events = small.events.with_columns(pl.col("actor_id", "target_id") + shift)
    monkeypatch.setattr(bridges, "MAX_DENSE_REACH_CELLS", 0)
    shifted = silo_report(people, events)
    assert shifted.ei_index.value == reference.ei_index.value
    assert shifted.coverage == reference.coverage
    assert [row["participation"] for row in shifted.bridges.value] == [
        row["participation"] for row in reference.bridges.value
    ]
    assert [row["person_id"] - shift for row in shifted.bridges.value] == [
        row["person_id"] for row in reference.bridges.value
    ]
    assert shifted.communities.value == pytest.approx(reference.communities.value)

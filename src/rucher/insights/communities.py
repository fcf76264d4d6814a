"""Community detection on a SciPy sparse graph: Louvain (Blondel et al. 2008), seeded.

Implemented here rather than taken from python-igraph or leidenalg, whose GPL licences do
not fit an Apache-2.0 product; networkx (BSD) is only a development dependency.

The graph is a symmetric, non-negative weighted matrix ``W``. A node's degree is its row sum
(a self-loop on an aggregated node holds twice the weight inside it, so degrees and the total
``2m = W.sum()`` stay consistent across levels). Modularity (Newman 2006)::

    Q = sum over communities c of  in_c / 2m  -  resolution * (tot_c / 2m) ** 2

with ``in_c`` the weight of W inside c (both orders) and ``tot_c`` the sum of its degrees.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

# A move must improve modularity by more than this (in units of weight) to count, so that
# floating-point noise cannot make nodes oscillate.
MIN_GAIN = 1e-10
# A pass over all nodes that raises modularity by less than this ends the level, as in the
# reference implementations: late passes on dense graphs only shuffle a few nodes.
MIN_PASS_IMPROVEMENT = 1e-7


def louvain(
    matrix: sparse.spmatrix | sparse.sparray,
    seed: int = 0,
    resolution: float = 1.0,
    max_levels: int = 30,
    max_passes: int = 100,
) -> np.ndarray:
    """Community label (0..c-1) of each node of the symmetric matrix; isolated nodes stay alone.

    Local moving visits nodes in a seeded random order and moves each to the neighbouring
    community with the best modularity gain; then communities become nodes and it repeats
    until nothing moves. Same input and seed, same labels.
    """
    graph = sparse.csr_matrix(matrix, dtype=np.float64)
    n = graph.shape[0]
    membership = np.arange(n, dtype=np.int64)
    if n == 0 or graph.sum() <= 0:
        return membership
    rng = np.random.default_rng(seed)
    for _ in range(max_levels):
        labels, moved = _local_moving(graph, rng, resolution, max_passes)
        if not moved:
            break
        labels = np.unique(labels, return_inverse=True)[1].astype(np.int64)
        membership = labels[membership]
        graph = _aggregate(graph, labels)
    return np.unique(membership, return_inverse=True)[1].astype(np.int64)


def modularity(
    matrix: sparse.spmatrix | sparse.sparray, labels: np.ndarray, resolution: float = 1.0
) -> float | None:
    """Newman's modularity of a partition of the symmetric matrix; None for an empty graph."""
    graph = sparse.csr_matrix(matrix, dtype=np.float64)
    total = float(graph.sum())
    if total <= 0:
        return None
    labels = np.unique(np.asarray(labels), return_inverse=True)[1]
    collapsed = _aggregate(graph, labels.astype(np.int64))
    inside = collapsed.diagonal()
    degree = np.asarray(collapsed.sum(axis=1)).ravel()
    return float(np.sum(inside / total - resolution * (degree / total) ** 2))


def _local_moving(
    graph: sparse.csr_matrix, rng: np.random.Generator, resolution: float, max_passes: int
) -> tuple[np.ndarray, bool]:
    n = graph.shape[0]
    indptr, indices, weights = graph.indptr, graph.indices, graph.data
    degree = np.asarray(graph.sum(axis=1)).ravel()
    two_m = float(degree.sum())
    labels = np.arange(n, dtype=np.int64)
    totals = degree.copy()
    moved_any = False
    for _ in range(max_passes):
        moves = 0
        improvement = 0.0
        for node in rng.permutation(n):
            start, end = indptr[node], indptr[node + 1]
            if start == end:
                continue
            neighbours = indices[start:end]
            not_self = neighbours != node
            neighbour_labels = labels[neighbours[not_self]]
            if neighbour_labels.size == 0:
                continue
            current = labels[node]
            node_degree = degree[node]
            totals[current] -= node_degree
            candidates, position = np.unique(neighbour_labels, return_inverse=True)
            links = np.bincount(position, weights=weights[start:end][not_self])
            gains = links - resolution * totals[candidates] * node_degree / two_m
            own = np.searchsorted(candidates, current)
            stay_gain = (
                gains[own]
                if own < candidates.size and candidates[own] == current
                else -resolution * totals[current] * node_degree / two_m
            )
            best = int(np.argmax(gains))
            target = current
            if gains[best] > stay_gain + MIN_GAIN:
                target = int(candidates[best])
                moves += 1
                improvement += 2 * (gains[best] - stay_gain) / two_m
            labels[node] = target
            totals[target] += node_degree
        if moves == 0:
            break
        moved_any = True
        if improvement < MIN_PASS_IMPROVEMENT:
            break
    return labels, moved_any


def _aggregate(graph: sparse.csr_matrix, labels: np.ndarray) -> sparse.csr_matrix:
    """Z^T W Z: one node per community, the weights between and (on the diagonal) inside."""
    n = graph.shape[0]
    communities = int(labels.max()) + 1 if n else 0
    assign = sparse.csr_matrix(
        (np.ones(n), (np.arange(n), labels)), shape=(n, communities), dtype=np.float64
    )
    return sparse.csr_matrix(assign.T @ graph @ assign)

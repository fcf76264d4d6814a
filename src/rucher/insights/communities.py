"""Community detection on a SciPy sparse graph: Louvain (Blondel et al. 2008), seeded.

Implemented here rather than taken from python-igraph or leidenalg, whose GPL licences do
not fit an Apache-2.0 product; networkx (BSD) is only a development dependency.

The graph is a symmetric, non-negative weighted matrix ``W``. A node's degree is its row sum
(a self-loop on an aggregated node holds twice the weight inside it, so degrees and the total
``2m = W.sum()`` stay consistent across levels). Modularity (Newman 2006)::

    Q = sum over communities c of  in_c / 2m  -  resolution * (tot_c / 2m) ** 2

with ``in_c`` the weight of W inside c (both orders) and ``tot_c`` the sum of its degrees.

Local moving works on batches of nodes rather than one node at a time, so that each step is a
handful of NumPy/SciPy operations over CSR arrays instead of a Python iteration per node:
every node of a batch picks its best community against the labels as they stood when the
batch began, then the batch's moves are applied together. Batches are small enough that a
node has about ``BATCH_NEIGHBOURS`` neighbours in its own batch on average, so decisions
rarely depend on each other; a move into a community that the same batch empties waits for
the next pass (this is what stops two lone nodes swapping places forever); and a pass that
does not raise the exact modularity is undone and tried again with batches half as large,
down to one node per batch, which is the sequential algorithm.
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
# Expected number of a node's neighbours that decide in the same batch as it does. Below 1,
# batches behave almost like the sequential algorithm; far above, stale decisions pile up.
BATCH_NEIGHBOURS = 2.0
# Small graphs (and the small aggregated graphs of later levels) still get several batches
# per pass: they cost nothing and deciding all at once degrades the partition there.
MIN_BATCHES = 8


def louvain(
    matrix: sparse.spmatrix | sparse.sparray,
    seed: int = 0,
    resolution: float = 1.0,
    max_levels: int = 30,
    max_passes: int = 100,
) -> np.ndarray:
    """Community label (0..c-1) of each node of the symmetric matrix; isolated nodes stay alone.

    Local moving visits nodes in a seeded random order, in batches, and moves each to the
    neighbouring community with the best modularity gain; then communities become nodes and
    it repeats until nothing moves. Same input and seed, same labels.
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


class _LocalMoving:
    """The state of one level's local moving: labels, community totals, the graph's arrays."""

    def __init__(self, graph: sparse.csr_matrix, resolution: float) -> None:
        n = graph.shape[0]
        self.n = n
        self.resolution = resolution
        self.degree = np.asarray(graph.sum(axis=1)).ravel()
        self.two_m = float(self.degree.sum())
        self.row_lengths = np.diff(graph.indptr)
        self.edge_cols = graph.indices
        self.edge_weights = graph.data
        # A node's own self-loop (the inside of an aggregated node) moves with it: it never
        # draws the node towards a community, so moves read the graph without its diagonal.
        without_loops = graph.copy()
        without_loops.setdiag(0)
        without_loops.eliminate_zeros()
        self.links = without_loops
        self.labels = np.arange(n, dtype=np.int64)
        self.totals = self.degree.copy()
        self.sizes = np.ones(n, dtype=np.int64)
        self.ones = np.ones(n)
        self.row_starts = np.arange(n + 1)

    def quality(self) -> float:
        """Modularity of the current labels, from the edge arrays (no aggregation)."""
        # Rows are stored in order: repeating each row's label is cheaper than a gather.
        same = np.repeat(self.labels, self.row_lengths) == self.labels[self.edge_cols]
        inside = float(self.edge_weights[same].sum())
        spread = float(np.dot(self.totals, self.totals))
        return inside / self.two_m - self.resolution * spread / self.two_m**2

    def move_batch(self, batch: np.ndarray) -> tuple[int, int]:
        """Move each node of ``batch`` to its best community: (nodes moved, moves deferred)."""
        rows = self.links[batch]
        if rows.nnz == 0:
            return 0, 0
        # Links from each batch node to each neighbouring community, summed per community.
        # One sparse product gathers and sums them without sorting (SciPy's dense accumulator).
        membership = sparse.csr_matrix(
            (self.ones, self.labels, self.row_starts), shape=(self.n, self.n)
        )
        per_community = sparse.csr_matrix(rows @ membership)
        counts = np.diff(per_community.indptr)
        entry_row = np.repeat(np.arange(batch.size), counts)
        community = per_community.indices
        weight = per_community.data
        node_degree = self.degree[batch]
        own = self.labels[batch]
        is_own = community == own[entry_row]
        # Totals as if the node had already left its community.
        totals = self.totals[community] - np.where(is_own, node_degree[entry_row], 0.0)
        scale = self.resolution * node_degree / self.two_m
        gain = weight - totals * scale[entry_row]
        own_links = np.bincount(entry_row[is_own], weights=weight[is_own], minlength=batch.size)
        stay = own_links - (self.totals[own] - node_degree) * scale
        present = counts > 0
        starts = per_community.indptr[:-1][present]
        best = np.full(batch.size, -np.inf)
        best[present] = np.maximum.reduceat(gain, starts)
        # Ties go to the lowest community label, as a sequential scan in label order would.
        tied = np.where(gain == best[entry_row], community, self.n)
        target = own.copy()
        target[present] = np.minimum.reduceat(tied, starts)
        moving = present & (best > stay + MIN_GAIN) & (target != own)
        # Joining a community that the batch empties rests on a stale view (two lone nodes
        # would swap places forever): such moves wait for the next pass.
        leaving = np.bincount(own[moving], minlength=self.n)
        stale = moving & (leaving[target] >= self.sizes[target])
        moving &= ~stale
        movers = batch[moving]
        if movers.size == 0:
            return 0, int(stale.sum())
        moved_degree = node_degree[moving]
        np.subtract.at(self.totals, own[moving], moved_degree)
        np.add.at(self.totals, target[moving], moved_degree)
        np.subtract.at(self.sizes, own[moving], 1)
        np.add.at(self.sizes, target[moving], 1)
        self.labels[movers] = target[moving]
        return int(movers.size), int(stale.sum())


def _batch_size(n: int, links: int) -> int:
    mean_degree = links / n if n else 0.0
    return max(1, min(int(BATCH_NEIGHBOURS * n / max(mean_degree, 1.0)), n // MIN_BATCHES))


def _local_moving(
    graph: sparse.csr_matrix, rng: np.random.Generator, resolution: float, max_passes: int
) -> tuple[np.ndarray, bool]:
    state = _LocalMoving(graph, resolution)
    size = _batch_size(state.n, state.links.nnz)
    quality = state.quality()
    moved_any = False
    for _ in range(max_passes):
        saved = state.labels.copy(), state.totals.copy(), state.sizes.copy()
        order = rng.permutation(state.n)
        outcomes = [state.move_batch(order[i : i + size]) for i in range(0, state.n, size)]
        moves = sum(moved for moved, _ in outcomes)
        deferred = sum(waiting for _, waiting in outcomes)
        if moves == 0 and deferred == 0:
            break
        improved = state.quality()
        if improved <= quality:
            # Decisions taken together made the pass worse as a whole: undo it and go on
            # with smaller batches (one node per batch is the sequential algorithm, whose
            # every move raises modularity).
            state.labels, state.totals, state.sizes = saved
            if size == 1:
                break
            size = max(1, size // 2)
            continue
        moved_any = True
        if improved - quality < MIN_PASS_IMPROVEMENT:
            break
        quality = improved
    return state.labels, moved_any


def _aggregate(graph: sparse.csr_matrix, labels: np.ndarray) -> sparse.csr_matrix:
    """Z^T W Z: one node per community, the weights between and (on the diagonal) inside."""
    n = graph.shape[0]
    communities = int(labels.max()) + 1 if n else 0
    assign = sparse.csr_matrix(
        (np.ones(n), (np.arange(n), labels)), shape=(n, communities), dtype=np.float64
    )
    return sparse.csr_matrix(assign.T @ graph @ assign)

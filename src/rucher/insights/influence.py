"""Contextual influence: who moves a topic or a space, kept apart from who is merely visible.

For each context (a topic from ``content.topics``, a space, a theme found by content
similarity in ``similar_topics``, or the whole network) a
topic-sensitive personalised PageRank (Haveliwala 2002) runs over the interaction graph of
``graph.py``: an edge ``i -> j`` carries the credit ``i`` gave ``j`` (answers, comments,
reactions, mentions, shares, accepted answers, weighted by ``graph.DEFAULT_WEIGHTS``). The
random surfer follows credit with probability ``damping`` and otherwise jumps to a person in
proportion to their own activity in the context (``ACTIVITY_WEIGHTS`` per content kind);
people who gave no credit (dangling rows) jump the same way. All contexts are solved at once
as one sparse matrix times a dense people × contexts block (SciPy).

Reported apart, never mixed into the score: reach (distinct people who interacted with the
person in the context), impact (responses triggered, accepted answers, net reactions on their
content in the context) and popularity (net followers, volume of contributions). Scores are
normalised per context (the most influential member = 100). Each listed person carries
"why": the interactions that brought them the most credit (event ids, people, verbs).

Reserved system accounts (negative person ids: bots, the anonymous voter of imported dumps,
deleted users) are neither nodes nor ranked: their votes count as impact, not as influence.

The per-context work is batched (``influence_frames``, ``influence_results``): one join and
one group_by over all contexts, one sparse matrix, one PageRank block, one sort for "why".
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import sparse

from rucher.insights import influence_frames as frames
from rucher.insights import influence_results as scoring
from rucher.insights.contract import Dataset
from rucher.insights.graph import DEFAULT_WEIGHTS
from rucher.insights.influence_frames import ACTIVITY_WEIGHTS, RESPONSE_VERBS, Context
from rucher.insights.influence_results import WHY_SIZE
from rucher.insights.results import MIN_GROUP_SIZE, Result
from rucher.insights.similar_topics import find_themes

__all__ = [
    "ACTIVITY_WEIGHTS",
    "RESPONSE_VERBS",
    "WHY_SIZE",
    "Context",
    "contextual_influence",
    "credit_received",
    "personalised_pagerank",
]

DAMPING = 0.85
TOLERANCE = 1e-10
MAX_ITERATIONS = 200
# Contexts solved together are bounded so one people × contexts block stays near 128 MB.
BLOCK_FLOATS = 1 << 24
TOP_PEOPLE = 20
# The two lists, in words (also returned with every result).
POPULAR_RULE = (
    "popular but not influential: popularity (the higher of the follower and volume "
    "percentiles) in the top quarter of the context, influence below its median"
)
QUIET_RULE = (
    "quiet experts: influence in the top quarter of the context while their volume of "
    "contributions is at or below the context's median"
)
METHOD = (
    "Topic-sensitive personalised PageRank over the interaction graph (edge = credit from the "
    "person who answered, commented, reacted, mentioned, shared or accepted to the person "
    "credited; verb weights {weights}), damping {damping}, teleport and dangling mass "
    "proportional to each person's authored activity in the context (kind weights "
    "{activity}); influence = the credit received through interactions (d·Pᵀr, the "
    "teleport share excluded, so volume alone earns nothing), normalised so the context's "
    "top member = 100. Reach, impact and popularity "
    "are reported beside the score, not inside it."
)


def contextual_influence(
    dataset: Dataset,
    topics: list[str] | None = None,
    spaces: list[int] | None = None,
    max_topics: int = 50,
    include_all: bool = True,
    damping: float = DAMPING,
    top: int = TOP_PEOPLE,
    themes: bool = True,
    theme_seed: int = 0,
) -> dict[str, Result]:
    """Influence per context, keyed ``topic:<name>``, ``space:<id>``, ``theme:<label>`` and
    ``all``.

    By default the ``max_topics`` topics with the most contributors, every space and, when
    ``themes`` and there is enough text (``similar_topics.find_themes``), every theme found
    by content similarity; a context with fewer than MIN_GROUP_SIZE active people is
    ``not_enough_data``.
    """
    content = frames.context_content(dataset.content)
    by_topic = frames.topic_rows(content)
    contexts = frames.choose_contexts(content, by_topic, topics, spaces, max_topics, include_all)
    found = find_themes(dataset.content, seed=theme_seed) if themes else None
    if found is not None and found.found:
        contexts = frames.with_themes(contexts, found.labels)
    all_at = frames.all_column(contexts)
    membership = frames.scoped_membership(
        content,
        by_topic,
        contexts,
        found.theme_of_row if found is not None else None,
        found.labels if found is not None else None,
    )
    del found
    del by_topic
    content_ids = content.get_column("content_id")
    pairs = frames.object_contexts(membership, content_ids.is_unique().all())
    rows = frames.interactions(dataset.events)
    real = rows.get_column("source") >= 0
    edges = rows if real.all() else rows.filter(real)
    node_ids = frames.node_ids(dataset.people, edges, content)
    matrix = _adjacency(edges, node_ids)
    del edges
    authorship = frames.authored(content, membership, all_at)
    teleport = _teleport(authorship, node_ids, len(contexts))
    ranks = personalised_pagerank(matrix, teleport, damping)
    del teleport
    received = credit_received(matrix, ranks, damping)
    out_weight = np.asarray(matrix.sum(axis=1)).ravel()
    measured = frames.received_measures(rows, pairs, content_ids, all_at)
    members = frames.members(measured, authorship, frames.followers(dataset.events))
    sizes = dict(members.group_by("context").len().iter_rows())
    scored = scoring.score(members, node_ids, ranks, received, top)
    listed = scored.filter(pl.col("shown") | pl.col("popular") | pl.col("quiet")).select(
        "context", "person_id"
    )
    reasons = scoring.why(rows, pairs, listed, all_at, node_ids, ranks, out_weight, damping)
    parameters = {
        "damping": damping,
        "verb_weights": DEFAULT_WEIGHTS,
        "activity_weights": ACTIVITY_WEIGHTS,
        "min_people": MIN_GROUP_SIZE,
        "popular_rule": POPULAR_RULE,
        "quiet_rule": QUIET_RULE,
    }
    method = METHOD.format(weights=DEFAULT_WEIGHTS, damping=damping, activity=ACTIVITY_WEIGHTS)
    return scoring.assemble(contexts, sizes, scored, reasons, method, parameters)


def _adjacency(edges: pl.DataFrame, node_ids: np.ndarray) -> sparse.csr_matrix:
    """``A[i, j]`` = total weight of the interactions from node i to node j, built straight
    from the interaction rows (duplicates summed by SciPy, no aggregated copy)."""
    n = len(node_ids)
    rows = frames.positions(node_ids, edges.get_column("source").to_numpy())
    cols = frames.positions(node_ids, edges.get_column("target").to_numpy())
    weights = frames.WEIGHT_OF_CODE[edges.get_column("code").to_numpy()]
    matrix = sparse.coo_matrix((weights, (rows, cols)), shape=(n, n)).tocsr()
    matrix.sum_duplicates()
    return matrix


def _teleport(authorship: pl.DataFrame, node_ids: np.ndarray, k: int) -> np.ndarray:
    """people × contexts matrix of authored activity (the teleport vectors)."""
    matrix = np.zeros((len(node_ids), k))
    rows = frames.positions(node_ids, authorship.get_column("person_id").to_numpy())
    matrix[rows, authorship.get_column("context").to_numpy()] = authorship.get_column(
        "activity"
    ).to_numpy()
    return matrix


def _transition(matrix: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """``Pᵀ`` (rows of ``matrix`` divided by their out-weight, transposed) and the mask of
    dangling nodes (no out-weight)."""
    out_weight = np.asarray(matrix.sum(axis=1)).ravel()
    dangling = out_weight == 0
    inverse = np.divide(1.0, out_weight, out=np.zeros(len(out_weight)), where=~dangling)
    return (sparse.diags(inverse) @ matrix).T.tocsr(), dangling


def credit_received(
    matrix: sparse.csr_matrix, ranks: np.ndarray, damping: float = DAMPING
) -> np.ndarray:
    """The part of each stationary score that arrived through interactions:
    ``d * Pᵀ r``. A person's own activity (the teleport) earns nothing by itself, so volume
    alone, or an audience that never answers, cannot make anyone influential."""
    transition_t, _ = _transition(matrix)
    return damping * (transition_t @ ranks)


def personalised_pagerank(
    matrix: sparse.csr_matrix, teleport: np.ndarray, damping: float = DAMPING
) -> np.ndarray:
    """Stationary scores (people × contexts) of ``r = d (Pᵀ r + dangling) + (1 - d) v``.

    ``P`` is ``matrix`` with each row divided by its total out-weight; each column of
    ``teleport`` is normalised to sum to 1 (an all-zero column gives an all-zero result).
    Every context is a column of one dense block, advanced together by sparse × dense
    products; columns stop moving once they have converged.
    """
    n, k = teleport.shape
    ranks = np.zeros((n, k))
    if n == 0 or k == 0:
        return ranks
    totals = teleport.sum(axis=0)
    live = np.flatnonzero(totals > 0)
    transition_t, dangling = _transition(matrix)
    width = max(1, BLOCK_FLOATS // n)
    for start in range(0, len(live), width):
        cols = live[start : start + width]
        ranks[:, cols] = _power_iteration(
            transition_t, dangling, teleport[:, cols] / totals[cols], damping
        )
    return ranks


def _power_iteration(
    transition_t: sparse.csr_matrix, dangling: np.ndarray, v: np.ndarray, damping: float
) -> np.ndarray:
    r = v.copy()
    active = np.arange(v.shape[1])  # columns not yet converged
    for _ in range(MAX_ITERATIONS):
        current, jump = r[:, active], v[:, active]
        lost = current[dangling].sum(axis=0)
        updated = damping * (transition_t @ current + jump * lost) + (1 - damping) * jump
        change = np.abs(updated - current).sum(axis=0)
        r[:, active] = updated
        active = active[change >= TOLERANCE]
        if len(active) == 0:
            break
    return r

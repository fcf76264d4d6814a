"""Contextual influence: PageRank against networkx, hand-built cases, rules, edge cases, and the
batched computation (all contexts at once) against a per-context reference written
independently with pandas and networkx (the rules of docs/insights.md, "Contextual
influence")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import sparse

from rucher.insights.contract import Dataset
from rucher.insights.graph import DEFAULT_WEIGHTS
from rucher.insights.influence import contextual_influence, personalised_pagerank
from rucher.insights.influence_frames import positions
from rucher.insights.influence_results import score

T0 = datetime(2024, 1, 1, tzinfo=UTC)
D = 0.85


def test_pagerank_matches_networkx() -> None:
    rng = np.random.default_rng(7)
    n = 30
    edges = {(int(a), int(b)) for a, b in rng.integers(0, n, size=(120, 2)) if a != b}
    weights = {e: float(rng.integers(1, 5)) for e in edges}
    rows, cols = zip(*edges, strict=True)
    matrix = sparse.csr_matrix(([weights[e] for e in edges], (rows, cols)), shape=(n, n))
    teleport = np.zeros((n, 2))
    teleport[:5, 0] = [1, 2, 3, 0, 4]
    teleport[10:20, 1] = 1.0
    got = personalised_pagerank(matrix, teleport, damping=0.85)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items())
    for column in range(2):
        v = {i: float(teleport[i, column]) for i in range(n)}
        expected = nx.pagerank(graph, alpha=0.85, personalization=v, dangling=v, tol=1e-12)
        assert got[:, column] == pytest.approx([expected[i] for i in range(n)], abs=1e-8)


def test_pagerank_empty_inputs() -> None:
    assert personalised_pagerank(sparse.csr_matrix((0, 0)), np.zeros((0, 3))).shape == (0, 3)
    zero = personalised_pagerank(sparse.csr_matrix((3, 3)), np.zeros((3, 1)))
    assert not zero.any()


def _community() -> Dataset:
    """Topic "db": person 1 answers everyone (accepted twice) with few posts; person 2 posts a
    lot that nobody answers; persons 3..8 ask. Topic "ui" is small (3 people). Person -2 is a
    system account that up-votes person 2 many times."""
    content, events = [], []
    cid, eid = 0, 0

    def add(kind: str, author: int, topics: list[str], parent: int | None = None) -> int:
        nonlocal cid
        cid += 1
        content.append(
            {
                "content_id": cid,
                "kind": kind,
                "author_id": author,
                "space_id": 1,
                "created_at": T0 + timedelta(hours=cid),
                "root_id": parent or cid,
                "parent_id": parent,
                "topics": topics,
            }
        )
        return cid

    def event(
        actor: int, verb: str, obj: int, target: int | None, value: float | None = None
    ) -> None:
        nonlocal eid
        eid += 1
        events.append(
            {
                "event_id": eid,
                "at": T0 + timedelta(hours=eid),
                "actor_id": actor,
                "verb": verb,
                "object_id": obj,
                "target_id": target,
                "space_id": 1,
                "value": value,
            }
        )

    for asker in range(3, 9):
        q = add("question", asker, ["db"])
        event(asker, "asked", q, None)
        a = add("answer", 1, ["db"], q)
        event(1, "answered", a, asker)
        event(asker, "reacted", a, 1, 1.0)
        if asker in (3, 4):
            event(asker, "accepted_answer", a, 1)
    for _ in range(12):
        p = add("post", 2, ["db"])
        event(2, "posted", p, None)
        event(-2, "reacted", p, 2, 1.0)
    for follower, verb in ((3, "followed"), (3, "followed"), (5, "followed"), (6, "followed"),
                           (6, "unfollowed")):  # fmt: skip
        event(follower, verb, 2, 2)  # followers: 3 and 5 (6 left; 3 counted once)
    for author in (20, 21, 22):
        add("post", author, ["ui"])
    people = pl.DataFrame({"person_id": [-2, 1, 2, 3, 4, 5, 6, 7, 8, 20, 21, 22]})
    return Dataset(people=people, content=pl.DataFrame(content), events=pl.DataFrame(events))


def test_influence_ranks_the_credited_member_first_with_why() -> None:
    results = contextual_influence(_community())
    db = results["topic:db"]
    assert db.ok
    people = db.value["people"]
    assert people[0]["person_id"] == 1 and people[0]["score"] == 100.0
    top = people[0]
    assert top["reach"] == 6  # six askers interacted with person 1 on "db"
    assert top["impact"]["accepted_answers"] == 2
    assert top["impact"]["responses"] == 0  # nobody answered or commented on person 1
    # Why: the credit an edge passes is the source's score times the edge's share of the
    # source's out-weight. Askers 5..8 only reacted (share 1); askers 3 and 4 reacted (1/6)
    # and accepted (5/6), so four reactions come first, then an accepted answer.
    why = top["why"]
    assert [w["verb"] for w in why] == ["reacted"] * 4 + ["accepted_answer"]
    assert {w["from_person"] for w in why[:4]} == {5, 6, 7, 8}
    assert why[4]["from_person"] in (3, 4)
    assert why[4]["credit"] / why[0]["credit"] == pytest.approx(5 / 6, rel=0.05)
    assert [w["credit"] for w in why] == sorted((w["credit"] for w in why), reverse=True)
    assert set(db.evidence) >= {w["event_id"] for w in top["why"]}
    ids = [p["person_id"] for p in people]
    assert -2 not in ids  # system accounts are never ranked
    by_id = {p["person_id"]: p for p in people}
    assert by_id[2]["popularity"] == {"followers": 2, "volume": 12}
    assert by_id[2]["impact"]["net_reactions"] == 12.0  # anonymous votes count as impact
    assert 2 in db.value["popular_not_influential"]
    assert 1 not in db.value["popular_not_influential"]


def test_small_context_is_not_enough_data_and_all_present() -> None:
    results = contextual_influence(_community())
    assert results["topic:ui"].status == "not_enough_data"
    assert results["topic:ui"].note == "not enough data (n = 3 < 5)"
    assert set(results) == {"topic:db", "topic:ui", "space:1", "all"}
    assert results["all"].value["people"][0]["person_id"] == 1
    results["all"].to_dict()  # JSON-safe


def test_scores_are_normalised_per_context() -> None:
    for result in contextual_influence(_community()).values():
        if result.ok:
            scores = [p["score"] for p in result.value["people"]]
            assert max(scores) == 100.0 and min(scores) >= 0.0


def test_empty_and_single_person() -> None:
    assert contextual_influence(Dataset())["all"].status == "not_enough_data"
    one = Dataset(
        people=pl.DataFrame({"person_id": [1]}),
        content=pl.DataFrame(
            {"content_id": [1], "kind": ["post"], "author_id": [1], "created_at": [T0]}
        ),
    )
    assert contextual_influence(one)["all"].status == "not_enough_data"


# --- batched over all contexts, against a per-context reference --------------------------

ACTIVITY = {"question": 1.0, "answer": 1.0, "post": 1.0, "poll": 1.0, "comment": 0.5}


def _random_dataset(seed: int) -> Dataset:
    """40 people, a system account (-2), 200 items over 5 topics and 3 spaces (some without
    space), 1,500 events: interactions of every weighted verb, self-interactions, events
    without target, reactions by the system account, objects that are not content, follows
    and unfollows."""
    rng = np.random.default_rng(seed)
    n_content, n_events = 200, 1500
    kinds = ["question", "answer", "post", "comment", "poll"]
    topics = ["alpha", "beta", "gamma", "delta", "eps"]
    content = pl.DataFrame(
        {
            "content_id": np.arange(1, n_content + 1),
            "kind": rng.choice(kinds, n_content),
            "author_id": np.where(rng.random(n_content) < 0.05, -3, rng.integers(0, 40, n_content)),
            "space_id": pl.Series(
                [None if x == 0 else int(x) for x in rng.integers(0, 4, n_content)],
                dtype=pl.Int64,
            ),
            "created_at": [T0 + timedelta(minutes=i) for i in range(n_content)],
            "topics": [
                list(rng.choice(topics, int(rng.integers(0, 3)), replace=False))
                for _ in range(n_content)
            ],
        }
    )
    verbs = [*DEFAULT_WEIGHTS, "posted", "viewed", "followed", "unfollowed"]
    verb = rng.choice(verbs, n_events)
    actor = np.where(rng.random(n_events) < 0.08, -2, rng.integers(0, 40, n_events))
    target = rng.integers(0, 40, n_events).astype(object)
    target[rng.random(n_events) < 0.05] = None
    obj = np.where(rng.random(n_events) < 0.1, 10_000, rng.integers(1, n_content + 1, n_events))
    value = [
        (None if r < 0.3 else float(rng.choice([-1.0, 1.0, 2.0]))) if v == "reacted" else None
        for v, r in zip(verb, rng.random(n_events), strict=True)
    ]
    events = pl.DataFrame(
        {
            "event_id": np.arange(1, n_events + 1),
            "at": [T0 + timedelta(minutes=int(m)) for m in rng.integers(0, 5000, n_events)],
            "actor_id": actor,
            "verb": verb,
            "object_id": obj,
            "target_id": pl.Series(list(target), dtype=pl.Int64),
            "value": pl.Series(value, dtype=pl.Float64),
        }
    )
    people = pl.DataFrame({"person_id": [-3, -2, *range(45)]})  # 40..44 never act
    return Dataset(people=people, content=content, events=events)


def _reference(dataset: Dataset, max_topics: int) -> dict[str, dict[str, Any]]:
    """One context at a time, in pandas + networkx."""
    content = dataset.content.to_pandas()
    events = dataset.events.to_pandas()
    content["topics"] = content["topics"].apply(lambda t: sorted(set(t)) if t is not None else [])
    exploded = content[content.author_id >= 0].explode("topics").dropna(subset=["topics"])
    counts = exploded.groupby("topics").author_id.nunique().reset_index(name="n")
    chosen = counts.sort_values(["n", "topics"], ascending=[False, True]).topics[:max_topics]
    spaces = sorted(int(s) for s in content.space_id.dropna().unique())
    contexts: dict[str, pd.Series] = {
        f"topic:{t}": content.topics.apply(lambda ts, t=t: t in ts) for t in chosen
    }
    contexts |= {f"space:{s}": content.space_id == s for s in spaces}
    contexts["all"] = pd.Series(True, index=content.index)
    edges = events[
        events.verb.isin(list(DEFAULT_WEIGHTS))
        & events.target_id.notna()
        & (events.target_id != events.actor_id)
        & (events.actor_id >= 0)
        & (events.target_id >= 0)
    ].copy()
    edges["weight"] = edges.verb.map(DEFAULT_WEIGHTS)
    graph = nx.DiGraph()
    nodes = set(dataset.people.filter(pl.col("person_id") >= 0)["person_id"].to_list())
    nodes |= (
        set(edges.actor_id) | set(edges.target_id) | set(content.author_id[content.author_id >= 0])
    )
    graph.add_nodes_from(int(n) for n in nodes)
    for (a, b), w in edges.groupby(["actor_id", "target_id"]).weight.sum().items():
        graph.add_edge(int(a), int(b), weight=float(w))
    out_weight = dict(graph.out_degree(weight="weight"))
    follows = events[events.verb.isin(["followed", "unfollowed"]) & events.target_id.notna()]
    latest = follows.sort_values(["at", "event_id"]).groupby(["target_id", "actor_id"]).verb.last()
    followers = (latest == "followed").groupby(level=0).sum()
    reactions = events[
        (events.verb == "reacted")
        & events.target_id.notna()
        & (events.target_id != events.actor_id)
    ]
    out: dict[str, dict[str, Any]] = {}
    for label, mask in contexts.items():
        items = content[mask]
        ids = set(items.content_id)
        scoped = edges if label == "all" else edges[edges.object_id.isin(ids)]
        authored = items[items.author_id >= 0]
        volume = authored.groupby("author_id").size()
        activity = authored.kind.map(ACTIVITY).fillna(0.0).groupby(authored.author_id).sum()
        people = sorted(set(scoped.target_id.astype(int)) | set(volume.index.astype(int)))
        if len(people) < 5:
            out[label] = {"status": "not_enough_data", "n": len(people)}
            continue
        teleport = {n: float(activity.get(n, 0.0)) for n in graph.nodes}
        ranks = nx.pagerank(
            graph, alpha=D, personalization=teleport, dangling=teleport, tol=1e-13, max_iter=1000
        )
        credit = {n: 0.0 for n in graph.nodes}
        for a, b, w in graph.edges(data="weight"):
            credit[b] += D * ranks[a] * w / out_weight[a]
        net = reactions[reactions.object_id.isin(ids)]
        net = net.value.fillna(1.0).groupby(net.target_id).sum()
        rows = pd.DataFrame(
            {
                "person_id": people,
                "credit": [credit[p] for p in people],
                "volume": [int(volume.get(p, 0)) for p in people],
                "followers": [int(followers.get(p, 0)) for p in people],
                "reach": [int(scoped[scoped.target_id == p].actor_id.nunique()) for p in people],
                "accepted": [
                    int(((scoped.target_id == p) & (scoped.verb == "accepted_answer")).sum())
                    for p in people
                ],
                "responses": [
                    int(
                        (
                            (scoped.target_id == p) & scoped.verb.isin(["answered", "commented"])
                        ).sum()
                    )
                    for p in people
                ],
                "net_reactions": [float(net.get(p, 0.0)) for p in people],
            }
        )
        n = len(rows)
        pct = {c: rows[c].rank(method="average") / n for c in ("credit", "volume", "followers")}
        popular = (np.maximum(pct["followers"], pct["volume"]) > 0.75) & (pct["credit"] < 0.5)
        quiet = (pct["credit"] > 0.75) & (pct["volume"] <= 0.5)
        scoped = scoped.assign(
            credit=[
                D * ranks[a] * w / out_weight[a]
                for a, w in zip(scoped.actor_id, scoped.weight, strict=True)
            ]
        )
        out[label] = {
            "status": "ok",
            "rows": rows.set_index("person_id"),
            "popular": set(rows.person_id[popular]),
            "quiet": set(rows.person_id[quiet]),
            "edges": scoped,
        }
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batched_influence_matches_per_context_reference(seed: int) -> None:
    dataset = _random_dataset(seed)
    got = contextual_influence(dataset, max_topics=3)
    expected = _reference(dataset, max_topics=3)
    assert set(got) == set(expected)
    for label, want in expected.items():
        result = got[label]
        if want["status"] == "not_enough_data":
            assert result.status == "not_enough_data" and result.denominator == want["n"]
            continue
        rows = want["rows"]
        assert result.ok and result.denominator == len(rows), label
        people = result.value["people"]
        assert len(people) == min(20, len(rows))
        peak = rows.credit.max()
        # Listed in descending credit: the reference credit agrees to 1e-10 and is ordered.
        shown = [rows.loc[p["person_id"]] for p in people]
        assert [s.credit for s in shown] == pytest.approx(
            [p["credit_received"] for p in people], abs=1e-10
        )
        assert all(a.credit >= b.credit - 1e-12 for a, b in pairwise(shown))
        assert min(s.credit for s in shown) >= rows.credit.nlargest(20).min() - 1e-12
        for person, ref in zip(people, shown, strict=True):
            assert person["score"] == pytest.approx(round(100 * ref.credit / peak, 2), abs=0.011)
            assert person["reach"] == ref.reach
            assert person["impact"] == {
                "responses": ref.responses,
                "accepted_answers": ref.accepted,
                "net_reactions": pytest.approx(ref.net_reactions),
            }
            assert person["popularity"] == {"followers": ref.followers, "volume": ref.volume}
            incoming = want["edges"][want["edges"].target_id == person["person_id"]]
            top = incoming.sort_values(["credit", "event_id"], ascending=[False, True]).head(5)
            assert [w["event_id"] for w in person["why"]] == list(top.event_id), label
            assert [w["credit"] for w in person["why"]] == pytest.approx(
                list(top.credit), abs=1e-12
            )
        assert set(result.value["popular_not_influential"]) == want["popular"], label
        assert set(result.value["quiet_experts"]) == want["quiet"], label


def test_pagerank_columns_converge_independently_to_networkx() -> None:
    """Many contexts in one block, some converging much faster than others (a teleport on a
    sink converges at once), one empty: each column matches networkx on its own."""
    rng = np.random.default_rng(11)
    n = 60
    edges = {(int(a), int(b)) for a, b in rng.integers(0, n, size=(300, 2)) if a != b}
    edges = {e for e in edges if e[0] != 0}  # node 0 is a sink (dangling)
    rows, cols = zip(*edges, strict=True)
    weights = rng.integers(1, 6, len(edges)).astype(float)
    matrix = sparse.csr_matrix((weights, (rows, cols)), shape=(n, n))
    teleport = rng.random((n, 12)) * (rng.random((n, 12)) < 0.3)
    teleport[:, 3] = 0.0
    teleport[:, 4] = 0.0
    teleport[0, 4] = 1.0
    got = personalised_pagerank(matrix, teleport, damping=0.85)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in zip(edges, weights, strict=True))
    assert not got[:, 3].any()
    for column in (0, 1, 2, 4, 5, 11):
        v = {i: float(teleport[i, column]) for i in range(n)}
        expected = nx.pagerank(
            graph, alpha=0.85, personalization=v, dangling=v, tol=1e-13, max_iter=1000
        )
        assert got[:, column] == pytest.approx([expected[i] for i in range(n)], abs=1e-8)


@pytest.mark.parametrize("ids", [[3, 7, 9, 1_000], [5, 10**12, 2 * 10**12]])
def test_positions_lookup_table_and_binary_search(ids: list[int]) -> None:
    node_ids = np.array(ids, dtype=np.int64)
    wanted = np.array([ids[-1], ids[0], ids[1], ids[-1]], dtype=np.int64)
    assert positions(node_ids, wanted).tolist() == [len(ids) - 1, 0, 1, len(ids) - 1]
    assert positions(node_ids, np.array([], dtype=np.int64)).tolist() == []


def test_percentile_at_the_median_is_exactly_one_half() -> None:
    """Rank 4,509 of 9,018 is the median itself (4509 / 9018 = 0.5), so that member is not
    "below the median" and cannot be popular-but-not-influential, however popular."""
    n = 9018
    members = pl.DataFrame(
        {
            "context": pl.Series([0] * n, dtype=pl.Int32),
            "person_id": np.arange(n),
            "followers": np.where(np.arange(n) == 4508, 10**6, 0),
            "volume": np.zeros(n, dtype=np.int64),
        }
    )
    credit = np.arange(1, n + 1, dtype=float).reshape(-1, 1)
    scored = score(members, np.arange(n), credit, credit, top=20)
    median = scored.filter(pl.col("person_id") == 4508)
    assert median["influence_pct"].item() == 0.5
    assert not median["popular"].item()

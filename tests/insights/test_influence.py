"""Contextual influence: PageRank against networkx, hand-built cases, rules, edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import networkx as nx
import numpy as np
import polars as pl
import pytest
from scipy import sparse

from rucher.insights.contract import Dataset
from rucher.insights.influence import contextual_influence, personalised_pagerank

T0 = datetime(2024, 1, 1, tzinfo=UTC)


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

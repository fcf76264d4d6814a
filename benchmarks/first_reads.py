"""The first home read after a post, with and without adding new posts to kept pages (issue 14).

    .venv/bin/python benchmarks/first_reads.py [--people 10000] [--items 1000000]
        [--database sqlite|postgres] [--posts 12] [--rounds 2] [--json FILE]

On the benchmark organisation (``benchmarks/generate_org.py``: it must exist), in process,
through Django's test client and every middleware: the busiest reader posts into their first
space (``POST /api/v1/posts``), then each of the stream benchmark's readers (the 50 members of
the most spaces and 50 people at random, the same as ``stream_vs_floor.py``) reads
``GET /api/v1/streams/home`` once: the first read after a post, the cold one. ``--posts`` such
posts per child process. Child processes alternate (``--rounds`` each way): renewal on (the
tree as it is: a kept first page takes in the new posts, ``streams.cache.Built.kept``) and off
(the page is built again from the kept scope, as before). The benchmark's posts are deleted
afterwards. A first read that kept its page (the post was not in the reader's spaces) counts
too: it is what those readers get.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def child(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.test import Client

    from rucher.api.routers import streams as api_streams
    from stream_vs_floor import busiest_reader_tokens, delete_benchmark_posts, shared_space_id

    if os.environ.get("BENCH_NO_RENEWAL"):
        cached = api_streams.cached_watched

        def without_renewal(*positional: Any, **named: Any) -> Any:
            named.pop("renew", None)
            return cached(*positional, **named)

        api_streams.cached_watched = without_renewal  # type: ignore[assignment]
    tokens = busiest_reader_tokens(50, 50)
    space = shared_space_id()
    client = Client(HTTP_HOST="127.0.0.1")

    def read(token: str) -> float:
        start = time.perf_counter()
        answer = client.get("/api/v1/streams/home", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert answer.status_code == 200, answer.status_code
        return (time.perf_counter() - start) * 1000

    for token in tokens:
        read(token)
    posted: list[int] = []
    busiest: list[float] = []
    others: list[float] = []
    try:
        for n in range(args.posts):
            answer = client.post(
                "/api/v1/posts",
                data=json.dumps({"space_id": space, "text": f"benchmark {n}"}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {tokens[0]}",
            )
            assert answer.status_code == 201, answer.content
            posted.append(int(answer.json()["id"]))
            for i, token in enumerate(tokens):
                (busiest if i < 50 else others).append(read(token))
    finally:
        delete_benchmark_posts(posted)
    return {"busiest": busiest, "random": others}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--posts", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return
    from generate_org import OUT, database_url

    url = database_url(args.database, args.people, args.items)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "rucher.settings",
        "RUCHER_DATA_DIR": str(OUT / "data"),
        "RUCHER_RATE_API_READS": "10000000/minute",
        "RUCHER_RATE_WRITES": "1000000/minute",
    }
    results: dict[str, dict[str, list[float]]] = {}
    for _round in range(args.rounds):
        for name in ("renewal off", "renewal on"):
            run_env = {**env, "BENCH_NO_RENEWAL": "1" if name == "renewal off" else ""}
            done = subprocess.run(
                [sys.executable, __file__, "--child", "--posts", str(args.posts)],
                env=run_env,
                check=True,
                capture_output=True,
                text=True,
            )
            found = json.loads(done.stdout.strip().splitlines()[-1])
            for readers, times in found.items():
                results.setdefault(name, {}).setdefault(readers, []).extend(times)
            print(f"{name}: done", file=sys.stderr)
    report: dict[str, Any] = {"database": args.database, "posts": args.posts, "rounds": args.rounds}
    print(f"{'first read after a post (ms)':<30} {'p50':>8} {'p90':>8} {'p99':>8}")
    for name, by_readers in results.items():
        for readers, times in by_readers.items():
            row = {
                q: quantile(times, value)
                for q, value in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
            }
            report[f"{name}, {readers}"] = row
            print(f"{name + ', ' + readers:<30} {row['p50']:>8} {row['p90']:>8} {row['p99']:>8}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Home-stream throughput against the same server's floor (its cheapest request).

    .venv/bin/python benchmarks/stream_vs_floor.py [--people N] [--items N]
        [--database sqlite|postgres] [--json FILE] [--seconds S] [--concurrency C]
        [--readers R] [--writes-per-second W]

In one run, against one `rucher serve` process and with one load generator
(benchmarks/loadgen.py), it alternates: floor (/healthz: the full Django stack and one
`SELECT 1`), home stream (GET /api/v1/streams/home with a personal access token), floor,
stream. It prints the ratio stream_rps / floor_rps (goal >= 0.5) and the stream's latencies.

By default one reader (the member of the most spaces) reads and nobody writes, so after the
first request every page comes from the stream cache. `--readers R` spreads the reads over the
R members of the most spaces, and `--writes-per-second W` posts W times a second into a space
they share, during floor and stream rounds alike: each write renews every reader's page, which
is what a busy organisation looks like. The benchmark deletes its posts afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_org import OUT, ensure_org
from loadgen import LoadResult, run_load

ROOT = Path(__file__).resolve().parents[1]


def busiest_reader_tokens(count: int) -> list[str]:
    """Tokens for the members of the most spaces (the realistic worst readers)."""
    from django.db.models import Count

    from rucher.people.actions.tokens import create_token
    from rucher.people.models import Person

    readers = list(Person.objects.annotate(n=Count("memberships")).order_by("-n", "id")[:count])
    assert readers, "the benchmark organisation has no people"
    return [create_token(reader, "benchmark")[1] for reader in readers]


def shared_space_id() -> int:
    """A space the busiest reader belongs to, where the writer posts."""
    from django.db.models import Count

    from rucher.people.models import Person
    from rucher.spaces.models import Membership

    reader = Person.objects.annotate(n=Count("memberships")).order_by("-n", "id").first()
    membership = Membership.objects.filter(person=reader).order_by("space_id").first()
    assert membership is not None, "the busiest reader belongs to no space"
    return int(membership.space_id)


class Writer(threading.Thread):
    """Posts at a fixed rate through the API, as a member would, until stopped."""

    def __init__(self, base: str, token: str, space_id: int, per_second: float) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.space_id = base, token, space_id
        self.interval = 1.0 / per_second
        self.stop = threading.Event()
        self.posted: list[int] = []
        self.failed = 0

    def run(self) -> None:
        parts = self.base.split("//", 1)[1]
        host, port = parts.split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        next_at = time.perf_counter()
        while not self.stop.is_set():
            body = json.dumps({"space_id": self.space_id, "text": f"benchmark {len(self.posted)}"})
            try:
                conn.request("POST", "/api/v1/posts", body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                if response.status == 201:
                    self.posted.append(int(json.loads(answer)["id"]))
                else:
                    self.failed += 1
            except (OSError, http.client.HTTPException):
                self.failed += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
            next_at += self.interval
            self.stop.wait(max(0.0, next_at - time.perf_counter()))
        conn.close()


def delete_benchmark_posts(ids: list[int]) -> None:
    """Leave the reusable organisation as it was: the posts and their events go."""
    from rucher.activity.models import Event
    from rucher.conversations.models import Content

    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        Event.objects.filter(object_id__in=chunk, object_type__in=("post", "content")).delete()
        Content.objects.filter(pk__in=chunk).delete()


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
    parser.add_argument("--readers", type=int, default=1)
    parser.add_argument("--writes-per-second", type=float, default=0.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.readers < 1 or args.writes_per_second < 0:
        parser.error("--readers must be at least 1 and --writes-per-second at least 0")

    url = ensure_org(args.people, args.items, args.database)
    tokens = busiest_reader_tokens(args.readers)
    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "DATABASE_URL": url, "RUCHER_DATA_DIR": str(OUT / "data")}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/rucher"), "serve", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    writer: Writer | None = None
    try:
        wait_until_up(base)
        auth = [{"Authorization": f"Bearer {token}"} for token in tokens]
        run_load(f"{base}/api/v1/streams/home", auth, args.concurrency, 2)  # warm-up
        if args.writes_per_second:
            writer = Writer(base, tokens[0], shared_space_id(), args.writes_per_second)
            writer.start()
        rounds: dict[str, list[LoadResult]] = {"floor": [], "stream": []}
        for _ in range(2):
            rounds["floor"].append(run_load(f"{base}/healthz", {}, args.concurrency, args.seconds))
            rounds["stream"].append(
                run_load(f"{base}/api/v1/streams/home", auth, args.concurrency, args.seconds)
            )
    finally:
        if writer is not None:
            writer.stop.set()
            writer.join(timeout=30)
        server.terminate()
        server.wait(timeout=30)
        if writer is not None:
            delete_benchmark_posts(writer.posted)

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
        "readers": args.readers,
        "writes_per_second": args.writes_per_second,
        "writes_done": len(writer.posted) if writer else 0,
        "floor_rps": round(floor.rps, 1),
        "stream_rps": round(stream.rps, 1),
        "ratio": round(stream.rps / floor.rps, 3) if floor.rps else None,
        "p50_ms": round(stream.p50_ms, 2),
        "p99_ms": round(stream.p99_ms, 2),
        "floor_p50_ms": round(floor.p50_ms, 2),
        "errors": floor.errors + stream.errors + (writer.failed if writer else 0),
    }
    for key, value in report.items():
        print(f"{key:>18}: {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

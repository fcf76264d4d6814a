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
R members of the most spaces (plus `--random-readers N` people chosen at random, seeded), and
`--writes-per-second W` posts W times a second into a space they share, during floor and
stream rounds alike: each write renews every reader's page, which is what a busy organisation
looks like. The writer is the first of those readers (a person who reads and writes, whose own
posts are acts: their Essentiel is chosen again at their next read). The benchmark deletes its
posts afterwards; with writes, the JSON holds `ratio_with_writes`, `p95_ms_with_writes` and
`p99_ms_with_writes` (the worst of the runs).

`--statistics without|with|both` drops or gathers the planner's statistics (ANALYZE) before
measuring (`both`: one after the other, in the same run); `--baseline DIR` measures the code of
another source tree too (same database, same load, side by side), e.g. the previous commit:
`git worktree add /tmp/base HEAD~1`. `--stream essentiel` reads Essentiel, the short ranked
stream (GET /api/v1/streams/essentiel), under the same load instead of the home stream.
`--warm-every-reader` reads each reader's page once before measuring: the steady state, where
the default's two seconds of warm-up leave some readers' first page (for Essentiel, a cold
choice) to the measured rounds.

    .venv/bin/python benchmarks/stream_vs_floor.py --people 10000 --items 200000 \
        --readers 50 --random-readers 50 --writes-per-second 2 --statistics both \
        --baseline /tmp/base --json out/with-writes.json
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_org import OUT, ensure_org
from loadgen import LoadResult, run_load

ROOT = Path(__file__).resolve().parents[1]


def busiest_reader_tokens(count: int, random_count: int = 0) -> list[str]:
    """Tokens for the members of the most spaces (the realistic worst readers, once), and for
    ``random_count`` other people chosen at random (seeded): members of a few spaces, whose
    pages the old single query found by walking far down the table."""
    import random

    from django.db.models import Count

    from rucher.people.actions.tokens import create_token
    from rucher.people.models import Person

    readers: list[Any] = list(
        Person.objects.annotate(n=Count("memberships")).order_by("-n", "id")[:count]
    )
    assert readers, "the benchmark organisation has no people"
    others = list(
        Person.objects.filter(is_active=True)
        .exclude(pk__in=[r.pk for r in readers])
        .values_list("pk", flat=True)
    )
    picked = random.Random(14).sample(others, min(random_count, len(others)))
    readers += list(Person.objects.filter(pk__in=picked))
    return [create_token(reader, "benchmark")[1] for reader in readers]


def set_statistics(url: str, wanted: str) -> None:
    """``with``: ANALYZE (what ``rucher serve``'s PRAGMA optimize does on SQLite, autovacuum
    on PostgreSQL); ``without`` (SQLite): drop the statistics; ``as-is``: leave them."""
    if wanted == "as-is":
        return
    if url.startswith("sqlite"):
        import sqlite3

        db = sqlite3.connect(url.split("sqlite:///", 1)[1])
        if wanted == "with":
            db.execute("ANALYZE")
        else:
            db.execute("DROP TABLE IF EXISTS sqlite_stat1")
            db.execute("DROP TABLE IF EXISTS sqlite_stat4")
        db.commit()
        db.close()
        return
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        if wanted == "with":
            conn.execute("ANALYZE")
        else:  # as far as PostgreSQL goes: forget the column statistics of content
            conn.execute(
                "DELETE FROM pg_statistic WHERE starelid = 'conversations_content'::regclass"
            )


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


def wait_until_up(base: str, seconds: float = 240) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not come up")


def merged(results: list[LoadResult]) -> LoadResult:
    return LoadResult(
        sum(r.requests for r in results),
        sum(r.errors for r in results),
        sum(r.seconds for r in results),
        [x for r in results for x in r.latencies_ms],
    )


def essential_days() -> int:
    """Essentiel ranks the last 7 days; the benchmark organisation's items end on a fixed
    date. The days from its last week to today, so that Essentiel has its usual week."""
    from django.utils import timezone

    from rucher.conversations.models import Content

    newest = Content.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    return 7 if newest is None else max((timezone.now() - newest).days + 7, 7)


def measure(
    args: argparse.Namespace, url: str, tokens: list[str], source: Path | None
) -> dict[str, object]:
    """One server (this tree's code, or ``source``'s), warm-up, then floor and stream rounds
    alternating (a writer posting throughout when asked)."""
    base = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "RUCHER_DATA_DIR": str(OUT / "data"),
        # The benchmark sets the statistics itself (set_statistics), for both codes alike.
        "RUCHER_SQLITE_OPTIMIZE": "0",
        "RUCHER_PG_ANALYZE": "0",
        # One reader asks hundreds of pages a second here, a writer 2 posts a second: the
        # budgets per caller (1,200 API reads and 120 writes a minute) are raised so that they
        # are still counted, as in production, but never refuse.
        "RUCHER_RATE_API_READS": "10000000/minute",
        "RUCHER_RATE_WRITES": "1000000/minute",
    }
    if source is not None:
        env["PYTHONPATH"] = str(source / "src")
    if args.stream == "essentiel":
        env["RUCHER_ESSENTIAL_DAYS"] = str(essential_days())
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
        stream_url = f"{base}/api/v1/streams/{args.stream}"
        run_load(stream_url, auth, args.concurrency, 2)  # warm-up
        if args.warm_every_reader:
            # Each reader's first page (a cold choice, for Essentiel) before measuring: the
            # steady state, rather than a hundred first reads of the day in a few seconds.
            for header in auth:
                run_load(stream_url, header, 1, 60, max_requests=1)
        if args.writes_per_second:
            writer = Writer(base, tokens[0], shared_space_id(), args.writes_per_second)
            writer.start()
        rounds: dict[str, list[LoadResult]] = {"floor": [], "stream": []}
        for _ in range(2):
            rounds["floor"].append(run_load(f"{base}/healthz", {}, args.concurrency, args.seconds))
            rounds["stream"].append(run_load(stream_url, auth, args.concurrency, args.seconds))
    finally:
        if writer is not None:
            writer.stop.set()
            writer.join(timeout=30)
        server.terminate()
        server.wait(timeout=30)
        if writer is not None:
            delete_benchmark_posts(writer.posted)
    floor, stream = merged(rounds["floor"]), merged(rounds["stream"])
    return {
        "writes_done": len(writer.posted) if writer else 0,
        "floor_rps": round(floor.rps, 1),
        "stream_rps": round(stream.rps, 1),
        "ratio": round(stream.rps / floor.rps, 3) if floor.rps else None,
        "p50_ms": round(stream.p50_ms, 2),
        "p95_ms": round(stream.p95_ms, 2),
        "p99_ms": round(stream.p99_ms, 2),
        "floor_p50_ms": round(floor.p50_ms, 2),
        "floor_p99_ms": round(floor.p99_ms, 2),
        "errors": floor.errors + stream.errors + (writer.failed if writer else 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--readers", type=int, default=1)
    parser.add_argument("--random-readers", type=int, default=0)
    parser.add_argument("--writes-per-second", type=float, default=0.0)
    parser.add_argument(
        "--statistics",
        choices=("as-is", "without", "with", "both"),
        default="as-is",
        help="planner statistics: leave them, drop them, ANALYZE, or measure both ways",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a source tree (e.g. `git worktree add` of the previous commit) measured in the "
        "same run, side by side, against the same database",
    )
    parser.add_argument(
        "--stream",
        choices=("home", "essentiel"),
        default="home",
        help="the stream read: the chronological home stream or Essentiel, the short one",
    )
    parser.add_argument(
        "--warm-every-reader",
        action="store_true",
        help="read each reader's page once before measuring (the steady state), beside the "
        "usual two seconds of warm-up",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.readers < 1 or args.writes_per_second < 0 or args.random_readers < 0:
        parser.error("--readers must be at least 1, the others at least 0")

    url = ensure_org(args.people, args.items, args.database)
    tokens = busiest_reader_tokens(args.readers, args.random_readers)
    states = ["without", "with"] if args.statistics == "both" else [args.statistics]
    codes: list[tuple[str, Path | None]] = [("this tree", None)]
    if args.baseline is not None:
        codes.insert(0, ("baseline", args.baseline.resolve()))
    runs: list[dict[str, object]] = []
    for state in states:
        set_statistics(url, state)
        for name, source in codes:
            result = {"code": name, "statistics": state, **measure(args, url, tokens, source)}
            print(json.dumps(result))
            runs.append(result)
    mine = [r for r in runs if r["code"] == "this tree"]
    report: dict[str, object] = {
        "database": args.database,
        "stream": args.stream,
        "people": args.people,
        "items": args.items,
        "concurrency": args.concurrency,
        "seconds_per_round": args.seconds,
        "readers": args.readers,
        "random_readers": args.random_readers,
        "writes_per_second": args.writes_per_second,
        "warm_every_reader": args.warm_every_reader,
        **{k: v for k, v in mine[-1].items() if k not in ("code", "statistics")},
        "runs": runs,
    }
    if args.writes_per_second:
        # The worst of this tree's runs (with and without statistics): the machine-readable
        # figure issue 14 asks for.
        report["ratio_with_writes"] = min(float(str(r["ratio"] or 0)) for r in mine)
        report["p99_ms_with_writes"] = max(float(str(r["p99_ms"])) for r in mine)
        report["p95_ms_with_writes"] = max(float(str(r["p95_ms"])) for r in mine)
    for key, value in report.items():
        if key != "runs":
            print(f"{key:>20}: {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

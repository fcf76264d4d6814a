"""Mixed read/write load against a real `rucher serve --workers N`, then an audit.

    .venv/bin/python benchmarks/mixed_load.py --seconds 120                  # SQLite
    .venv/bin/python benchmarks/mixed_load.py --seconds 120 \\
        --postgres postgres://postgres@127.0.0.1:5432/postgres               # PostgreSQL

It builds a throwaway demo database (SQLite: a copy of a demo kept under
var/benchmarks/; PostgreSQL: a new database, dropped afterwards), serves it on a loopback port
(18100-18199), and runs ``--clients`` threads, each with its own person and personal access
token, mixing over the API: reads (home stream, a post with its thread), posts, comments and
reactions. Each write carries a unique marker. Afterwards it reports the 5xx count and p50/p99
per kind, the server log's "database is locked" lines, and checks in the database that every
acknowledged write (201) is there exactly once (and that the reaction counters match the
reactions). Bounded: ``--seconds`` (default 10 minutes), loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUCHER = str(Path(sys.executable).parent / "rucher")
TEMPLATES = ROOT / "var" / "benchmarks"
KINDS = ("read_home", "read_post", "post", "comment", "reaction")
WEIGHTS = (35, 25, 15, 15, 10)
REACTIONS = ("like", "celebrate", "support", "insightful", "curious")


@dataclass
class Client:
    username: str
    token: str
    spaces: list[int]
    posts: list[int]
    acknowledged: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    unknown: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    reacted: set[int] = field(default_factory=set)


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    transport_errors: int = 0
    slow: list[tuple[float, str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: float = field(default_factory=time.monotonic)

    def add(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds * 1000)
            self.statuses[kind][status] += 1
            if seconds > 2:  # when the slowest happened (offset in the run, seconds)
                at = round(time.monotonic() - self.started - seconds, 1)
                self.slow.append((at, kind, round(seconds * 1000)))


def free_port(low: int = 18100, high: int = 18199) -> int:
    for port in random.sample(range(low, high + 1), high - low + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


def run_rucher(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([RUCHER, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"rucher {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def sqlite_copy(people: int, items: int, data_dir: Path) -> None:
    """A copy of a cached demo database (built once per size) into ``data_dir``."""
    import hashlib

    # Rebuilt when a migration is added (``rucher serve`` would migrate a stale copy, but the
    # clients' tokens are made before it starts).
    migrations = sorted(p.name for p in (ROOT / "src/rucher").glob("*/migrations/0*.py"))
    digest = hashlib.sha1("\n".join(migrations).encode()).hexdigest()[:8]
    template_dir = TEMPLATES / f"mixed-demo-{people}-{items}-{digest}"
    template = template_dir / "rucher.sqlite3"
    if not template.exists():
        building = template_dir.with_name(template_dir.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        env = {**os.environ, "RUCHER_DATA_DIR": str(building)}
        env.pop("DATABASE_URL", None)
        run_rucher(["demo", "--no-serve", "--people", str(people), "--items", str(items)], env)
        shutil.rmtree(template_dir, ignore_errors=True)
        building.rename(template_dir)
    source = sqlite3.connect(template)
    target = sqlite3.connect(data_dir / "rucher.sqlite3")
    source.backup(target)
    target.close()
    source.close()


def postgres_database(admin_url: str, name: str, create: bool) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}"


def prepare_clients(count: int, run_id: str) -> list[Client]:
    """People who can post somewhere, each with a token and the posts they can see."""
    from django.db import connections
    from django.db.models import Count

    from rucher.conversations.models import Content
    from rucher.people.actions.tokens import create_token
    from rucher.people.models import Person
    from rucher.spaces import permissions
    from rucher.spaces.models import Membership

    people = list(
        Person.objects.filter(kind="employee", is_active=True)
        .annotate(n=Count("memberships"))
        .filter(n__gt=0)
        .order_by("-n", "pk")[:count]
    )
    if len(people) < count:
        raise RuntimeError(f"only {len(people)} people can post; fewer clients please")
    clients = []
    for person in people:
        spaces = [
            m.space_id
            for m in Membership.objects.filter(person=person, status="active").select_related(
                "space"
            )
            if permissions.can_post_in(person, m.space)
        ]
        posts = list(
            Content.objects.filter(
                space_id__in=spaces, parent__isnull=True, status="published", kind="post"
            )
            .order_by("-pk")
            .values_list("pk", flat=True)[:200]
        )
        if not spaces or not posts:
            continue
        _token, raw = create_token(person, f"mixed-load {run_id}")
        clients.append(Client(person.username, raw, spaces, posts))
    connections.close_all()
    if len(clients) < count:
        raise RuntimeError(f"only {len(clients)} people have spaces and posts")
    return clients


def client_loop(
    client: Client, n: int, port: int, deadline: float, results: Results, run_id: str
) -> None:
    rng = random.Random(n)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"}
    seq = 0
    while time.monotonic() < deadline:
        kind = rng.choices(KINDS, WEIGHTS)[0]
        seq += 1
        marker = f"mixedload-{run_id}-{n}-{seq}"
        body: dict[str, Any] | None = None
        if kind == "read_home":
            method, path = "GET", "/api/v1/streams/home"
        elif kind == "read_post":
            method, path = "GET", f"/api/v1/posts/{rng.choice(client.posts)}"
        elif kind == "post":
            method, path = "POST", "/api/v1/posts"
            body = {"space_id": rng.choice(client.spaces), "text": f"Point d'étape {marker}"}
        elif kind == "comment":
            method, path = "POST", f"/api/v1/posts/{rng.choice(client.posts)}/comments"
            body = {"text": f"Bien vu {marker}"}
        else:
            candidates = [p for p in client.posts if p not in client.reacted]
            if not candidates:
                continue
            target = rng.choice(candidates)
            client.reacted.add(target)
            method, path = "POST", f"/api/v1/posts/{target}/reactions"
            body = {"kind": rng.choice(REACTIONS)}
        what: Any = (
            marker if kind in ("post", "comment") else (path.split("/")[4], body and body["kind"])
        )
        started = time.perf_counter()
        try:
            conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            results.transport_errors += 1
            if body is not None:
                client.unknown[kind].append(what)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        results.add(kind, response.status, time.perf_counter() - started)
        if body is None:
            continue
        if response.status == 201:
            client.acknowledged[kind].append(what)
            if kind == "post":  # a new post others of this client may comment on
                client.posts.append(int(json.loads(payload)["id"]))
        elif response.status >= 500:
            client.unknown[kind].append(what)
    conn.close()


def audit(clients: list[Client], run_id: str) -> dict[str, Any]:
    """Every acknowledged write exactly once; reaction counters equal to the reactions."""
    from django.db import connections
    from django.db.models import Count

    from rucher.conversations.models import Content, Reaction

    prefix = f"mixedload-{run_id}-"
    stored = Counter(
        text.rsplit(" ", 1)[-1]
        for text in Content.objects.filter(text__contains=prefix).values_list("text", flat=True)
    )
    acknowledged = [m for c in clients for k in ("post", "comment") for m in c.acknowledged[k]]
    lost = [m for m in acknowledged if stored[m] == 0]
    duplicated = [m for m, n in stored.items() if n > 1]
    unexpected = set(stored) - set(acknowledged)
    unknown = {m for c in clients for k in ("post", "comment") for m in c.unknown[k]}
    reactions_lost = 0
    reactions = 0
    for client in clients:
        kinds = dict(
            Reaction.objects.filter(person__username=client.username).values_list(
                "content_id", "kind"
            )
        )
        for content_id, kind in client.acknowledged["reaction"]:
            reactions += 1
            if kinds.get(int(content_id)) != kind:
                reactions_lost += 1
    touched = {int(c) for client in clients for c, _ in client.acknowledged["reaction"]}
    wrong_counts = 0
    actual = dict(
        Reaction.objects.filter(content_id__in=touched)
        .values("content_id")
        .annotate(n=Count("id"))
        .values_list("content_id", "n")
    )
    for pk, count in Content.objects.filter(pk__in=touched).values_list("pk", "reaction_count"):
        wrong_counts += int(actual.get(pk, 0) != count)
    connections.close_all()
    return {
        "acknowledged_posts_and_comments": len(acknowledged),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "stored_without_acknowledgement": len(unexpected),
        "of_which_answered_5xx_or_cut": len(unexpected & unknown),
        "acknowledged_reactions": reactions,
        "reactions_lost": reactions_lost,
        "reaction_counters_wrong": wrong_counts,
    }


def warm_up(clients: list[Client], port: int) -> None:
    """A few reads per client first, so that every worker has loaded its code (not timed)."""

    def reads(client: Client) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for path in ("/api/v1/streams/home", f"/api/v1/posts/{client.posts[0]}"):
            conn.request("GET", path, headers={"Authorization": f"Bearer {client.token}"})
            conn.getresponse().read()
        conn.close()

    threads = [threading.Thread(target=reads, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def wait_until_up(port: int, server: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz")


def run(
    seconds: float,
    clients_count: int = 20,
    workers: int = 4,
    people: int = 200,
    items: int = 3000,
    postgres: str | None = None,
    port: int | None = None,
    keep: bool = False,
    warm: bool = True,
) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    workdir = Path(tempfile.mkdtemp(prefix="rucher-mixed-", dir=TEMPLATES.parent))
    env = {**os.environ, "RUCHER_DATA_DIR": str(workdir), "RUCHER_WORKERS": str(workers)}
    env.pop("RUCHER_TEST_DB_SUFFIX", None)
    database_name = f"rucher_mixed_{run_id}"
    try:
        if postgres:
            env["DATABASE_URL"] = postgres_database(postgres, database_name, create=True)
            run_rucher(["demo", "--no-serve", "--people", str(people), "--items", str(items)], env)
        else:
            env.pop("DATABASE_URL", None)
            sqlite_copy(people, items, workdir)
        # This process reads and audits the same database through Django.
        os.environ.update({k: env[k] for k in ("RUCHER_DATA_DIR",)})
        if "DATABASE_URL" in env:
            os.environ["DATABASE_URL"] = env["DATABASE_URL"]
        else:
            os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "rucher.settings"
        import django

        django.setup()
        from django.conf import settings

        assert str(settings.DATA_DIR) == str(workdir), "Django was set up before this run"
        clients = prepare_clients(clients_count, run_id)

        port = port or free_port()
        log = (workdir / "server.log").open("wb")
        server = subprocess.Popen(
            [RUCHER, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_up(port, server)
            if warm:
                warm_up(clients, port)
            results = Results()
            started = results.started = time.monotonic()
            deadline = started + seconds
            threads = [
                threading.Thread(
                    target=client_loop, args=(c, n, port, deadline, results, run_id), daemon=True
                )
                for n, c in enumerate(clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(seconds + 120)
            elapsed = time.monotonic() - started
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(3)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            log.close()
        server_log = (workdir / "server.log").read_text(errors="replace")
        report: dict[str, Any] = {
            "database": "postgresql" if postgres else "sqlite",
            "workers": workers,
            "clients": clients_count,
            "seconds": round(elapsed, 1),
            "requests": sum(len(v) for v in results.latencies.values()),
            "status_5xx": sum(
                n for counts in results.statuses.values() for s, n in counts.items() if s >= 500
            ),
            "transport_errors": results.transport_errors,
            "database_is_locked_in_log": server_log.count("database is locked"),
            "slower_than_2s": sorted(results.slow)[:20],
            "per_kind": {
                kind: {
                    "count": len(results.latencies[kind]),
                    "statuses": dict(sorted(results.statuses[kind].items())),
                    "p50_ms": round(statistics.median(results.latencies[kind]), 1)
                    if results.latencies[kind]
                    else None,
                    "p99_ms": round(percentile(results.latencies[kind], 0.99), 1),
                    "max_ms": round(max(results.latencies[kind], default=0), 1),
                }
                for kind in KINDS
            },
        }
        report["audit"] = audit(clients, run_id)
        return report
    finally:
        if postgres:
            from django.db import connections

            connections.close_all()
            postgres_database(postgres, database_name, create=False)
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="load duration (default 600)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--people", type=int, default=200, help="demo size")
    parser.add_argument("--items", type=int, default=3000, help="demo size")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (else SQLite)")
    parser.add_argument("--port", type=int, help="default: a free port in 18100-18199")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (server.log)")
    parser.add_argument(
        "--no-warm-up", action="store_true", help="time the workers' first requests too"
    )
    args = parser.parse_args()
    if args.port is not None and not 18100 <= args.port <= 18199:
        parser.error("--port must be in 18100-18199")
    TEMPLATES.mkdir(parents=True, exist_ok=True)
    report = run(
        args.seconds,
        args.clients,
        args.workers,
        args.people,
        args.items,
        args.postgres,
        args.port,
        args.keep,
        not args.no_warm_up,
    )
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    audit_ = report["audit"]
    failed = report["status_5xx"] or audit_["lost"] or audit_["duplicated"]
    failed = failed or audit_["reactions_lost"] or audit_["reaction_counters_wrong"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Live updates under load: one `rucher serve` process holding many open event streams.

    .venv/bin/python benchmarks/live_streams.py --streams 1000 --seconds 30 --rate 2

It makes a throwaway SQLite database (people who are all members of one open space, each
with an API token), serves it with one web process (ASGI, `--no-worker`) on a loopback port
(18100-18199), opens ``--streams`` event streams from this one asyncio process (httpx), then
publishes ``--rate`` posts a second through the API for ``--seconds``. Every listener's home
stream shows every post, so each post must reach every stream.

Reported: per post and stream, the delivery delay from the moment the write request was sent
(an upper bound of "after the commit": the commit happens later, before the answer), as
p50/p99/max; posts missed by a stream (must be 0); the server's resident memory (RSS of the
Granian processes, sampled each second: the maximum); the streams' open time.
Targets (issue 11): p99 ≤ 1 s, RSS < 1 GB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from mixed_load import free_port  # benchmarks/ is on sys.path when run as a script

RUCHER = str(Path(sys.executable).parent / "rucher")

SETUP = """
import json, secrets, sys
from rucher.commands import setup_django
setup_django()
from rucher.people.actions.tokens import create_token
from rucher.people.models import AccessToken, Person, hash_token
from rucher.spaces.actions import create_space
from rucher.spaces.models import Membership
count = int(sys.argv[1])
writer = Person.objects.create_user(username="writer", password=secrets.token_hex(8))
space = create_space(writer, "Tout le monde")
people = Person.objects.bulk_create(
    Person(username=f"listener{i}", first_name="L", last_name=str(i), password="!")
    for i in range(count)
)
Membership.objects.bulk_create(Membership(space=space, person=p) for p in people)
raws = ["rch_" + secrets.token_urlsafe(24) for _ in people]
AccessToken.objects.bulk_create(
    AccessToken(person=p, name="live", token_hash=hash_token(raw), prefix=raw[:12])
    for p, raw in zip(people, raws)
)
print(json.dumps({"space": space.pk, "writer": create_token(writer, "w", None)[1],
                  "listeners": raws}))
"""


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and its descendants (KiB), from /proc."""
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(child) for child in children)
    return total


@dataclass
class Listener:
    token: str
    announced: int = 0  # posts announced so far (the sum of the "posts" counts)
    received_at: dict[int, float] = field(default_factory=dict)  # post index → when
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    error: str | None = None


@contextmanager
def server(env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("w") as out:
        process = subprocess.Popen(
            [RUCHER, "serve", "--no-worker", "--workers", "1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


POSTS = re.compile(rb"event: posts\ndata: \{\"count\":(\d+)\}")


async def listen(host: str, port: int, listener: Listener) -> None:
    """One stream on a bare asyncio connection: a client this light measures the server, not
    itself (an HTTP library's per-line work, times 1,000 streams, would be what is timed)."""
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as error:
        listener.error = type(error).__name__
        listener.ready.set()
        return
    try:
        writer.write(
            (
                f"GET /events/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Authorization: Bearer {listener.token}\r\nAccept: text/event-stream\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            listener.error = head.split(b"\r\n", 1)[0].decode()
            listener.ready.set()
            return
        pending = b""
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                listener.error = listener.error or "closed"
                return
            now = time.monotonic()
            pending += chunk
            if not listener.ready.is_set() and b"event: ready" in pending:
                listener.ready.set()
            end = 0
            for match in POSTS.finditer(pending):
                count = int(match.group(1))
                for index in range(listener.announced, listener.announced + count):
                    listener.received_at[index] = now
                listener.announced += count
                end = match.end()
            # Keep what may hold the start of a message cut by this read.
            pending = pending[max(end, len(pending) - 64) :]
    except (OSError, asyncio.IncompleteReadError) as error:
        listener.error = listener.error or type(error).__name__
        listener.ready.set()
    finally:
        writer.close()


async def run(args: argparse.Namespace, base: str, made: dict[str, Any], pid: int) -> dict:
    listeners = [Listener(token) for token in made["listeners"][: args.streams]]
    timeout = httpx.Timeout(60.0, read=60.0)
    rss: list[int] = []
    stop_sampling = asyncio.Event()

    async def sample() -> None:
        while not stop_sampling.is_set():
            rss.append(tree_rss_kib(pid))
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample())
    rss_idle = tree_rss_kib(pid)
    host, port = base.removeprefix("http://").split(":")
    opening = time.monotonic()
    tasks = []
    for index, listener in enumerate(listeners):
        tasks.append(asyncio.create_task(listen(host, int(port), listener)))
        if index % 50 == 49:
            await asyncio.sleep(0.05)  # a crowd arriving, not one burst of SYNs
    await asyncio.wait_for(asyncio.gather(*(one.ready.wait() for one in listeners)), 300)
    opened_in = time.monotonic() - opening
    rss_open = tree_rss_kib(pid)
    sent_at: list[float] = []
    answered_at: list[float] = []
    async with httpx.AsyncClient(timeout=timeout) as writer:
        headers = {"Authorization": f"Bearer {made['writer']}"}
        started = time.monotonic()
        total = int(args.seconds * args.rate)
        for index in range(total):
            due = started + index / args.rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            sent_at.append(time.monotonic())
            answer = await writer.post(
                base + "/api/v1/posts",
                json={"space_id": made["space"], "text": f"post {index}"},
                headers=headers,
            )
            answered_at.append(time.monotonic())
            if answer.status_code != 201:
                raise RuntimeError(f"write {index}: {answer.status_code} {answer.text}")
    # Let the last posts arrive (bounded), then close every stream.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        one.announced < total for one in listeners if one.error is None
    ):
        await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    stop_sampling.set()
    await sampler
    delays = sorted(
        (at - sent_at[index]) * 1000
        for listener in listeners
        for index, at in listener.received_at.items()
        if index < len(sent_at)
    )
    after_answer = sorted(
        (at - answered_at[index]) * 1000
        for listener in listeners
        for index, at in listener.received_at.items()
        if index < len(answered_at)
    )
    writes = sorted((b - a) * 1000 for a, b in zip(sent_at, answered_at, strict=True))
    missed = sum(max(0, len(sent_at) - len(one.received_at)) for one in listeners)
    errors = [one.error for one in listeners if one.error]

    def pct(p: float, values: list[float] | None = None) -> float:
        values = delays if values is None else values
        return round(values[min(len(values) - 1, int(p * len(values)))], 1) if values else 0.0

    return {
        "streams": len(listeners),
        "streams_failed": len(errors),
        "errors": sorted(set(errors))[:5],
        "streams_opened_s": round(opened_in, 1),
        "posts": len(sent_at),
        "rate_per_s": args.rate,
        "deliveries": len(delays),
        "missed": missed,
        "delay_ms": {
            "p50": pct(0.50),
            "p99": pct(0.99),
            "max": round(delays[-1], 1) if delays else 0.0,
            "mean": round(statistics.fmean(delays), 1) if delays else 0.0,
        },
        "delay_after_answer_ms": {
            "p50": pct(0.50, after_answer),
            "p99": pct(0.99, after_answer),
            "max": round(after_answer[-1], 1) if after_answer else 0.0,
        },
        "write_ms": {"p50": pct(0.5, writes), "p99": pct(0.99, writes)},
        "server_rss_mib": {
            "idle": round(rss_idle / 1024),
            "streams_open": round(rss_open / 1024),
            "max": round(max(rss, default=0) / 1024),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30.0, help="how long posts are written")
    parser.add_argument("--rate", type=float, default=2.0, help="posts per second")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--log", type=Path, help="keep the server's log here")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, args.streams * 2 + 200))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))  # the server inherits it
    with tempfile.TemporaryDirectory(prefix="rucher-live-") as work:
        env = {
            **os.environ,
            "RUCHER_DATA_DIR": work,
            "DATABASE_URL": f"sqlite:///{work}/live.sqlite3",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("REDIS_URL", None)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with server(env, port, Path(work) / "server.log") as process:
            for _ in range(600):
                try:
                    httpx.get(base + "/healthz", timeout=2)
                    break
                except httpx.HTTPError:
                    if process.poll() is not None:
                        sys.exit((Path(work) / "server.log").read_text())
                    time.sleep(0.2)
            made = json.loads(
                subprocess.run(
                    [sys.executable, "-c", SETUP, str(args.streams)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.splitlines()[-1]
            )
            report = asyncio.run(run(args, base, made, process.pid))
        if args.log:
            args.log.write_text((Path(work) / "server.log").read_text())
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()

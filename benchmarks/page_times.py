"""Server time of the everyday pages and of signing in, on the demo organisation (issue 16).

    .venv/bin/python benchmarks/page_times.py [--data-dir DIR] [--rounds N] [--json FILE]

Loads the demo (``rucher demo --no-serve``, seed 2026) into ``--data-dir`` once, then, in this
process, through Django's own request handler (no network, no browser), for each demo account:

* **sign-in**: ``POST /login/`` with the right password (the Argon2 check, the session, the
  audit row) followed by the redirect's ``GET /``: what a person waits for on the server
  between the click and the first home page;
* **warm pages**: the home stream, a space of theirs, a conversation (a post's page: the
  busiest the account may read; ``thread-all`` is the same with ``?replies=all``, every reply
  of a long thread rendered), the directory and the messages list, each requested
  ``--rounds`` times after one warming request;
* **the floor**: ``GET /healthz`` (the whole middleware stack and one ``SELECT 1``), measured in
  the same rounds, so each page also reads as a multiple of the cheapest request of the same
  run on the same machine.

Each figure is given twice: wall time, and the process's CPU time (``time.process_time``)
spent on the request. On a machine shared with other work the wall time grows with the load;
the CPU time does not, and on a quiet machine with SQLite (in-process, its pages in the OS
cache) the two meet: the CPU time is what a quiet machine's wall time would be.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS = ("employe", "animatrice", "partenaire", "admin")


def load_demo(data_dir: Path) -> None:
    env = {**os.environ, "RUCHER_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [str(ROOT / ".venv/bin/rucher"), "demo", "--no-serve"], check=True, env=env, cwd=ROOT
    )


def timed(call: Any) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    answer = call()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, answer


def summary(walls: list[float], cpus: list[float]) -> dict[str, float]:
    ordered = sorted(walls)
    return {
        "n": len(walls),
        "wall_median_ms": round(statistics.median(walls), 1),
        "wall_p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "cpu_median_ms": round(statistics.median(cpus), 1),
    }


def pages_of(username: str) -> dict[str, str]:
    """A space, a conversation of that space, for this account (found through the read
    policy, as the person would)."""
    from rucher.conversations.models import Content
    from rucher.people.models import Person
    from rucher.spaces.models import Membership

    person = Person.objects.get(username=username)
    membership = (
        Membership.objects.filter(person=person).select_related("space").order_by("pk").first()
    )
    pages = {"home": "/", "directory": "/people/", "messages": "/messages/"}
    if membership is not None:
        pages["space"] = f"/spaces/{membership.space.slug}/"
    post = (
        Content.objects.visible_to(person)
        .filter(parent__isnull=True)
        .order_by("-comment_count", "-pk")
        .first()
    )
    if post is not None:
        pages["thread"] = f"/posts/{post.pk}/"
        # A thread of more than 40 replies opens on its newest 30 (issue 16); the whole one:
        pages["thread-all"] = f"/posts/{post.pk}/?replies=all"
    return pages


def measure(rounds: int) -> dict[str, Any]:
    from django.test import Client

    results: dict[str, Any] = {}
    for username in ACCOUNTS:
        pages = {"floor": "/healthz", **pages_of(username)}
        # Signing in: a fresh browser each time (no session cookie), right password.
        walls, cpus = [], []
        for _ in range(max(3, rounds // 5)):
            client = Client()

            def sign_in(c: Client = client, name: str = username) -> Any:
                answer = c.post("/login/", {"username": name, "password": "demo"})
                assert answer.status_code == 302, answer.status_code
                home = c.get(answer.url)
                assert home.status_code == 200, home.status_code
                return home

            wall, cpu, _ = timed(sign_in)
            walls.append(wall)
            cpus.append(cpu)
        results[f"{username}/sign-in"] = summary(walls, cpus)
        client = Client()
        client.login(username=username, password="demo")
        for path in pages.values():
            assert client.get(path).status_code == 200, path  # warming
        measured: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in pages}
        for _ in range(rounds):
            for name, path in pages.items():  # interleaved: the same moments for every page
                wall, cpu, answer = timed(lambda p=path, c=client: c.get(p))
                assert answer.status_code == 200, (path, answer.status_code)
                measured[name][0].append(wall)
                measured[name][1].append(cpu)
        floor = statistics.median(measured["floor"][0])
        for name, (walls, cpus) in measured.items():
            figure = summary(walls, cpus)
            figure["x_floor"] = round(statistics.median(walls) / floor, 1) if floor else 0.0
            results[f"{username}/{name}"] = figure
        print(f"  {username}: done", file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-page-times")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    load_demo(args.data_dir)
    os.environ["RUCHER_DATA_DIR"] = str(args.data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rucher.settings")
    # As `rucher demo` serves it: a second factor is offered, not required of the admin.
    os.environ.setdefault("RUCHER_TWO_FACTOR", "optional")
    import django

    django.setup()
    load = os.getloadavg()
    results = measure(args.rounds)
    print(f"load average at the start: {load[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'page':28} {'n':>4} {'wall med':>9} {'wall p95':>9} {'cpu med':>8} {'× floor':>8}")
    for name, figure in results.items():
        print(
            f"{name:28} {figure['n']:>4} {figure['wall_median_ms']:>7} ms"
            f" {figure['wall_p95_ms']:>6} ms {figure['cpu_median_ms']:>5} ms"
            f" {figure.get('x_floor', ''):>8}"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"load_average": load, "cores": os.cpu_count(), "pages": results}, indent=1)
        )


if __name__ == "__main__":
    main()

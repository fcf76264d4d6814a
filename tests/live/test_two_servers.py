"""Two real `rucher serve` processes on one database, with Redis: a write through process A
reaches a client of process B at once, and so does a notification written by a third process
(the task worker's place). Pollers tick every 60 s here, so only Redis can be that quick."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sse_client import Stream, free_port

RUCHER = [sys.executable, "-c", "from rucher.cli import main; main()"]
REDIS_URL = "redis://127.0.0.1:6379/0"

SETUP = """
import json
from rucher.commands import setup_django
setup_django()
from rucher.people.models import Person
from rucher.people.actions.tokens import create_token
from rucher.spaces.actions import create_space, join_space
alice = Person.objects.create_user(username="alice", password="x")
bob = Person.objects.create_user(username="bob", password="x")
space = create_space(alice, "Ouvert")
join_space(bob, space)
print(json.dumps({
    "space": space.pk, "bob": bob.pk,
    "alice_token": create_token(alice, "a", lifetime_days=None)[1],
    "bob_token": create_token(bob, "b", lifetime_days=None)[1],
}))
"""

NOTIFY = """
import sys
from django.db import transaction
from django.utils import timezone
from rucher.commands import setup_django
setup_django()
from rucher.notifications import hooks
from rucher.notifications.models import Notification
now = timezone.now()
with transaction.atomic():
    row = Notification.objects.create(
        recipient_id=int(sys.argv[1]), kind="mention", subject="content:1", content_id=1,
        channel="app", first_event_id=1, last_event_id=1, created_at=now, updated_at=now)
    hooks.notified([row.pk])  # as the fan-out does: Redis is rung after the commit
"""


@pytest.fixture
def redis_up() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not running at 127.0.0.1:6379")
        pytest.skip("Redis is not running at 127.0.0.1:6379")


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "RUCHER_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "REDIS_URL": REDIS_URL,
        "RUCHER_LIVE_POLL_SECONDS": "60",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def serve(env: dict[str, str], tmp_path: Path, name: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = (tmp_path / f"{name}.log").open("w")
    process = subprocess.Popen(
        [*RUCHER, "serve", "--no-worker", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2).close()
            return process, url
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    pytest.fail(f"server {name} did not come up:\n{(tmp_path / f'{name}.log').read_text()}")


@pytest.fixture
def servers(
    redis_up: None, environment: dict[str, str], tmp_path: Path
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    started = []
    try:
        a = serve(environment, tmp_path, "a")  # migrates the database
        started.append(a[0])
        b = serve(environment, tmp_path, "b")
        started.append(b[0])
        made = subprocess.run(
            [sys.executable, "-c", SETUP],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        yield a[1], b[1], json.loads(made.stdout.strip().splitlines()[-1])
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_write_through_a_reaches_a_client_of_b(
    servers: tuple[str, str, dict[str, Any]], environment: dict[str, str]
) -> None:
    a, b, made = servers
    bob = {"Authorization": f"Bearer {made['bob_token']}"}
    timeout = httpx.Timeout(15.0)  # far below the 60 s poll: only Redis is that quick
    with httpx.stream("GET", b + "/events/", headers=bob, timeout=timeout) as response:
        assert response.status_code == 200
        events = Stream(response)
        assert events.next("unread")["data"] == {"count": 0}
        posted = httpx.post(
            a + "/api/v1/posts",
            json={"space_id": made["space"], "text": "through A"},
            headers={"Authorization": f"Bearer {made['alice_token']}"},
            timeout=timeout,
        )
        assert posted.status_code == 201, posted.text
        assert events.next("posts")["data"] == {"count": 1}
        # A third process writes a notification row and rings, as the task worker does.
        subprocess.run(
            [sys.executable, "-c", NOTIFY, str(made["bob"])], env=environment, check=True
        )
        assert events.next("unread")["data"] == {"count": 1}

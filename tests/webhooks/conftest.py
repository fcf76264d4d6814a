"""A real HTTP receiver for the webhook tests (``http.server`` in a thread, on a free port of
127.0.0.1), the worker loop that sends, and endpoints pointing at the receiver."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rucher.activity.tasks import LeasedWorker


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b'{"ok": true}'
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Receiver:
    """Records every request; answers with the next scripted ``Answer`` (then ``default``)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.script: list[Answer] = []
        self.default = Answer()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(Received(self.path, dict(self.headers), body))
                    answer = receiver.script.pop(0) if receiver.script else receiver.default
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (the timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in English (the source language) in these tests; the pages' tests check
    the French ones. The worker, like this thread, speaks the active language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def answer() -> type[Answer]:
    """The receiver's scripted answers: ``answer(503, body=b"down", delay=…, headers=…)``."""
    return Answer


@pytest.fixture
def refused_url() -> str:
    """An address where nothing listens (a port taken from the system, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


class Worker:
    def run(self) -> None:
        """`rucher worker --batch`: run what is ready now, then return."""
        LeasedWorker(lease=timedelta(minutes=5), interval=0.01, worker_id="test").serve(once=True)

    def make_due(self) -> None:
        """Skip the backoff: the attempts waiting become ready now."""
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(1))

    def waiting(self) -> int:
        return DBTaskResult.objects.filter(status="READY").count()


@pytest.fixture
def worker() -> Worker:
    return Worker()


@pytest.fixture
def endpoint_for(world: dict[str, Any]) -> Callable[..., Any]:
    from rucher.webhooks import actions, events

    def make(url: str, types: tuple[str, ...] | None = None, **options: Any) -> Any:
        # Events of the world's making (joins) are handed on first, before the endpoint exists
        # (only in transactional tests: elsewhere nothing is handed on, and the worker loop
        # must not run inside the test's transaction).
        if connection.get_autocommit():
            Worker().run()
        codes = list(types or [t.code for t in events.AVAILABLE])
        endpoint, _secret = actions.create_endpoint(world["admin"], url, codes, **options)
        return endpoint

    return make

"""rucher's ASGI application served for real (Granian, embedded in a thread of the test
process), so the event stream and the pages share the test database."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from sse_client import free_port


class EmbeddedServer:
    def __init__(self, port: int) -> None:
        from granian.constants import Interfaces
        from granian.server.embed import Server

        from rucher.asgi import application

        self.url = f"http://127.0.0.1:{port}"
        self.server = Server(
            application, address="127.0.0.1", port=port, interface=Interfaces.ASGI
        )
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="asgi-server", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the embedded ASGI server did not come up")

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.stop)
        self.thread.join(timeout=15)


@pytest.fixture
def asgi_server(transactional_db: Any, settings: Any) -> Iterator[EmbeddedServer]:
    settings.ALLOWED_HOSTS = ["*"]
    server = EmbeddedServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()

"""The hub's bookkeeping, without a server: what each connection is sent, and slow clients."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rucher.live import hub
from rucher.live.poller import Tick


def run_alone(scenario: Coroutine[Any, Any, None]) -> None:
    """Run ``scenario`` on an event loop of its own thread (Playwright's sync API may have left
    one running in this thread, where asyncio.run refuses to start)."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, scenario).result()


def frames(connection: hub.Connection) -> list[bytes]:
    found = []
    while not connection.queue.empty():
        frame = connection.queue.get_nowait()
        assert frame is not None
        found.append(frame)
    return found


def test_each_connection_hears_its_own_news_once() -> None:
    async def scenario() -> None:
        the_hub = hub.Hub(asyncio.get_running_loop())
        alice = the_hub.open(1, None, None)
        bob = the_hub.open(2, 7, None)
        the_hub.connections.clear()  # no poller: ticks are handed in below
        the_hub.connections.update({alice.key: alice, bob.key: bob})
        the_hub.deliver([alice, bob], Tick(10, {alice.key: 2}, {bob.key: 1}, {1: 0, 2: 3}))
        assert frames(alice) == [
            b"id: 10\nevent: ready\ndata: {}\n\n"
            b'id: 10\nevent: posts\ndata: {"count":2}\n\n'
            b'id: 10\nevent: unread\ndata: {"count":0}\n\n'
        ]
        assert frames(bob) == [
            b"id: 10\nevent: ready\ndata: {}\n\n"
            b'id: 10\nevent: replies\ndata: {"content":7,"count":1}\n\n'
            b'id: 10\nevent: unread\ndata: {"count":3}\n\n'
        ]
        # Same counts, nothing new: nothing is sent. A closed connection is skipped.
        the_hub.close(bob)
        the_hub.deliver([alice, bob], Tick(11, {}, {bob.key: 1}, {1: 0, 2: 4}))
        assert frames(alice) == []
        assert frames(bob) == []
        await the_hub.stop()

    run_alone(scenario())


def test_a_client_that_does_not_read_is_dropped() -> None:
    async def scenario() -> None:
        connection = hub.Connection(person_id=1)
        for _ in range(hub.QUEUE_LIMIT):
            connection.put(b"x")
        assert not connection.dropped
        connection.put(b"one too many")
        assert connection.dropped
        other = hub.Connection(person_id=2)
        other.end()
        assert other.dropped and other.queue.get_nowait() is None

    run_alone(scenario())

"""One hub per server process: the open event streams and the one poller task serving them.

The poller task runs only while at least one stream is open. It wakes every
``RUCHER_LIVE_POLL_SECONDS`` (default 1 s), or at once when this process commits a write
(``signals.py``) or when Redis says another process or the task worker did (``broker.py``),
reads what is new in a thread (``poller.py``: the ORM is synchronous) and puts the messages
in the queues of the connections concerned. A connection's state is its queue and a few
fields: removing it from ``connections`` (the stream's ``finally``) forgets it entirely.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django import db
from django.db import close_old_connections

from rucher.live import broker, wire
from rucher.live.poller import Listener, Poller, Tick

logger = logging.getLogger("rucher.live")

QUEUE_LIMIT = 64  # messages waiting for a slow client; past this it is dropped (and resumes)
HEARTBEAT_SECONDS = 15.0  # a comment line on every stream, so that proxies keep it open
SLOW_TICK_SECONDS = 0.5  # a tick slower than this is logged (a warning)


def poll_seconds() -> float:
    try:
        return max(0.05, float(os.environ.get("RUCHER_LIVE_POLL_SECONDS", "1")))
    except ValueError:
        return 1.0


@dataclass(eq=False)
class Connection:
    person_id: int
    watching: int | None = None
    resume_after: int | None = None
    key: int = 0
    conversation: int | None = None  # a direct-message conversation open on the page
    # Messages for the stream; None ends it (the client left).
    queue: asyncio.Queue[bytes | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    unread: int | None = None  # the count last sent
    ready: bool = False  # the first message (with the id to resume from) was sent
    dropped: bool = False  # too slow: the stream ends, the browser reconnects and resumes

    def put(self, frame: bytes) -> None:
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.dropped = True

    def end(self) -> None:
        """The client left: the stream's loop stops at its next message."""
        self.dropped = True
        with contextlib.suppress(asyncio.QueueFull):  # then it is not waiting anyway
            self.queue.put_nowait(None)


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop, redis_url: str | None = None) -> None:
        self.loop = loop
        self.redis_url = redis_url
        self.connections: dict[int, Connection] = {}
        self.poller = Poller()
        self.ticks = 0
        self._keys = itertools.count(1)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        # One thread, so the poller's database connection is one and its state unshared.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="rucher-live")

    # --- connections ----------------------------------------------------------------------

    def open(
        self,
        person_id: int,
        watching: int | None,
        resume_after: int | None,
        conversation: int | None = None,
    ) -> Connection:
        connection = Connection(
            person_id, watching, resume_after, key=next(self._keys), conversation=conversation
        )
        self.connections[connection.key] = connection
        if self._task is None or self._task.done():
            self._task = self.loop.create_task(self._run(), name="rucher-live-poller")
            if self.redis_url:
                self._listener = self.loop.create_task(self._listen(), name="rucher-live-redis")
        self.wake()  # its first message (ready, the unread count) comes at once
        return connection

    def close(self, connection: Connection) -> None:
        self.connections.pop(connection.key, None)

    # --- waking ---------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def wake_threadsafe(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closing
            self.loop.call_soon_threadsafe(self._wake.set)

    async def _listen(self) -> None:
        assert self.redis_url is not None
        await broker.listen(self.redis_url, self.wake, lambda: bool(self.connections))

    # --- the poller -----------------------------------------------------------------------

    async def _run(self) -> None:
        interval = poll_seconds()
        beat = self.loop.time() + HEARTBEAT_SECONDS
        try:
            while self.connections:
                pause = max(0.0, min(interval, beat - self.loop.time()))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=pause)
                if self.loop.time() >= beat:
                    for connection in list(self.connections.values()):
                        connection.put(wire.HEARTBEAT)
                    beat = self.loop.time() + HEARTBEAT_SECONDS
                    if not self._wake.is_set() and pause < interval:
                        continue  # a heartbeat, not a tick
                self._wake.clear()
                if not self.connections:
                    break
                await self._tick()
        finally:
            if self._listener is not None:
                self._listener.cancel()
                self._listener = None
            self._task = None

    async def _tick(self) -> None:
        connections = list(self.connections.values())
        listeners = [
            Listener(
                c.key,
                c.person_id,
                c.watching,
                c.resume_after if not c.ready else None,
                c.conversation,
            )
            for c in connections
        ]
        started = self.loop.time()
        try:
            tick = await self.loop.run_in_executor(self._executor, self._read, listeners)
        except Exception:
            logger.exception("live updates: the poller failed; trying again at the next tick")
            await asyncio.sleep(poll_seconds())
            return
        read = self.loop.time()
        self.ticks += 1
        self.deliver(connections, tick)
        done = self.loop.time()
        level = logging.WARNING if done - started > SLOW_TICK_SECONDS else logging.DEBUG
        logger.log(
            level,
            "live updates: tick for %d streams: %.0f ms reading, %.0f ms queueing",
            len(connections),
            (read - started) * 1000,
            (done - read) * 1000,
        )

    def _read(self, listeners: list[Listener]) -> Tick:
        """In the poller's thread: a connection the database dropped is replaced first."""
        close_old_connections()
        return self.poller.tick(listeners)

    def deliver(self, connections: list[Connection], tick: Tick) -> None:
        frames_made: dict[tuple[str, str], bytes] = {}  # most streams get the same bytes

        def message(event: str, data: dict[str, int]) -> bytes:
            key = (event, repr(sorted(data.items())))
            frame = frames_made.get(key)
            if frame is None:
                frame = frames_made[key] = wire.message(event, data, tick.watermark)
            return frame

        for connection in connections:
            if connection.key not in self.connections:
                continue  # closed while the tick ran
            frames = []
            if not connection.ready:
                frames.append(message("ready", {}))
                connection.ready = True
            posts = tick.new_posts.get(connection.key)
            if posts:
                frames.append(message("posts", {"count": posts}))
            replies = tick.new_replies.get(connection.key)
            if replies and connection.watching is not None:
                frames.append(
                    message("replies", {"content": connection.watching, "count": replies})
                )
            written = tick.new_messages.get(connection.key)
            if written and connection.conversation is not None:
                frames.append(
                    message("messages", {"conversation": connection.conversation, "count": written})
                )
            unread = tick.unread.get(connection.person_id)
            if unread is not None and unread != connection.unread:
                frames.append(message("unread", {"count": unread}))
                connection.unread = unread
            if frames:
                connection.put(b"".join(frames))

    async def stop(self) -> None:
        self.connections.clear()
        self.wake()
        task = self._task
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=5)
        with contextlib.suppress(Exception):
            await self.loop.run_in_executor(self._executor, db.connections.close_all)
        self._executor.shutdown(wait=False, cancel_futures=True)


_hubs: dict[int, Hub] = {}  # by event loop (one per worker process, one per test loop)


def hub_for(loop: asyncio.AbstractEventLoop) -> Hub:
    hub = _hubs.get(id(loop))
    if hub is None or hub.loop is not loop:
        hub = _hubs[id(loop)] = Hub(loop, os.environ.get("REDIS_URL") or None)
    return hub


def wake_all() -> None:
    """Wake this process's pollers now (from any thread): a write just committed here."""
    for hub in list(_hubs.values()):
        if hub.connections:
            hub.wake_threadsafe()


def forget(loop: asyncio.AbstractEventLoop) -> None:
    _hubs.pop(id(loop), None)


async def stop_all() -> None:
    """Stop this process's hubs (the server is shutting down)."""
    for key, a_hub in list(_hubs.items()):
        if a_hub.loop is asyncio.get_running_loop():
            await a_hub.stop()
            _hubs.pop(key, None)

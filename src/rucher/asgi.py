"""ASGI entry point (Granian serves it: `rucher serve`).

``/events/`` (live updates, ``rucher.live``) is a native asynchronous handler: an open
stream is a coroutine, not a thread. Every other path goes to the WSGI application in a pool
of threads (a2wsgi, with a whole response handed back at once: ``rucher.wsgi_bridge``),
exactly as under Granian's WSGI interface: the pages' code stays synchronous and unchanged.
Why not Django's ASGIHandler for everything: it runs synchronous views one at a time per
process (``sync_to_async(thread_sensitive=True)``), and every rucher view is synchronous
(docs/architecture.md, "Serving", has the measurements).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django import db
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rucher.settings")
django_application = get_wsgi_application()  # sets Django up before the imports below

from rucher import heap  # noqa: E402
from rucher.live import endpoint, hub  # noqa: E402
from rucher.wsgi_bridge import PagesMiddleware, page_threads  # noqa: E402

THREADS = page_threads()
pages = PagesMiddleware(
    django_application,  # type: ignore[arg-type]  # Django's handler is a WSGI callable
    workers=THREADS,
)
heap.settle()


def _close_pool(pool: ThreadPoolExecutor) -> None:
    """Close each thread's database connections (one task per thread: a barrier holds each
    until all have one), then end the threads."""
    count = len(pool._threads)  # the threads started so far
    if count:
        barrier = threading.Barrier(count)

        def close() -> None:
            db.connections.close_all()
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)

        for future in [pool.submit(close) for _ in range(count)]:
            future.result()
    pool.shutdown(wait=True)


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await hub.stop_all()
            # The pages' threads end with the server, and their database connections with
            # them (PostgreSQL counts open sessions); a new pool serves a server started again
            # in this process (the tests' embedded server).
            threads = pages.executor
            pages.executor = ThreadPoolExecutor(THREADS, thread_name_prefix="WSGI")
            await asyncio.get_running_loop().run_in_executor(None, _close_pool, threads)
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "http" and scope["path"] == endpoint.PATH:
        await endpoint.events(scope, receive, send)
    else:

        async def receive_coroutine() -> Any:
            # Granian's receive() returns an awaitable that is not a coroutine, and a2wsgi
            # hands it to run_coroutine_threadsafe, which wants one (request bodies: a 500).
            return await receive()

        await pages(scope, receive_coroutine, send)
